package io.wsp.agent.forward;

import io.wsp.protocol.HeadCodec;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;

/**
 * Checks that a request head's URL is one the agent can call at all, before any rule, and makes the
 * request that goes out for it.
 */
final class OutboundRequest {

    private OutboundRequest() {
    }

    /** The destination URI; only absolute http and https URLs with a host and no user info are allowed. */
    static URI destination(String url) throws CannotForwardException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new CannotForwardException("invalid destination URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new CannotForwardException("destination URL must be http or https");
        }
        if (uri.getHost() == null) {
            throw new CannotForwardException("destination URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            // The server refuses these too; a server that did not (the Go one) must not make us send them.
            throw new CannotForwardException("destination URL must not contain user info");
        }
        return uri;
    }

    /**
     * The request for {@code destination}, to be sent to {@code address} (checked by the guard): the
     * raw path and query as the caller wrote them, the caller's end-to-end headers, {@code Host} for
     * the destination, and {@code body} (null: none, and no Content-Length). No I/O.
     *
     * @throws IllegalArgumentException for a method, target or header that cannot be sent; the message
     *     is a fixed, secret-free text
     */
    static Request create(HttpClient client, URI destination, InetAddress address, String method,
            Map<String, List<String>> headers, Request.Content body) {
        if (method == null || !HeadCodec.isToken(method)) {
            throw new IllegalArgumentException("invalid method");
        }
        OutgoingHeaders.checkTarget(destination);
        HttpFields.Mutable fields = OutgoingHeaders.of(destination, headers);
        Request request;
        try {
            request = client.newRequest(destination);
        } catch (RuntimeException e) {
            // Jetty's message may quote the query, which may hold credentials.
            throw new IllegalArgumentException("invalid request target");
        }
        // The tag makes the checked address part of Jetty's destination: see PinnedAddressResolver.
        request.method(method).tag(address).followRedirects(false)
                // No limit on a quiet exchange: the request timeout covers the head, a slow body is not limited.
                .idleTimeout(0, TimeUnit.MILLISECONDS)
                .headers(h -> {
                    h.clear();
                    h.add(fields);
                });
        if (body != null) {
            request.body(body);
        }
        return request;
    }
}
