package io.wsp.agent.forward.http1;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * A final (non-1xx) response head and its body. The body ends at the response's framing; reading it
 * to the end is what lets the connection be reused, closing it early closes the connection.
 */
public final class Http1Response {

    private final int status;
    private final Map<String, List<String>> headers;
    private final InputStream body;

    Http1Response(int status, Map<String, List<String>> headers, InputStream body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** Header fields in arrival order, repeated names merged; hop-by-hop ones included. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The decoded body (chunked framing removed); not thread safe, one reader. */
    public InputStream body() {
        return body;
    }
}
