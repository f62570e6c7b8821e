package io.wsp.server.proxy;

/**
 * The 413 of {@code wsp.maxRequestBodyBytes}, the same whether the servlet refuses a body of known
 * length up front or an exchange stops a streamed one on its way.
 */
final class RequestBodyLimit {

    static final String TITLE = "Request body too large";

    private RequestBodyLimit() {
    }

    static String detail(long limit) {
        return "the request body is larger than " + limit + " bytes";
    }
}
