package io.wsp.agent.forward;

import io.wsp.protocol.HopByHop;
import io.wsp.protocol.RequestHead;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** Turns a request head into a {@link HttpRequest} for the internal destination. */
final class OutboundRequest {

    private OutboundRequest() {
    }

    /** The destination URI; only absolute http and https URLs with a host are allowed. */
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
        return uri;
    }

    /**
     * @param timeout how long the response head may take (the JDK client stops counting once it
     *                has the head); zero for no limit
     */
    static HttpRequest build(URI destination, RequestHead head, BodyPublisher body, Duration timeout)
            throws CannotForwardException {
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(destination).method(head.method, body);
        } catch (IllegalArgumentException e) {
            throw new CannotForwardException("unsupported method or URL");
        }
        if (!timeout.isZero()) {
            builder.timeout(timeout);
        }
        copyHeaders(head.header, builder);
        return builder.build();
    }

    /**
     * A body publisher reading {@code pipe}. A known length goes out as Content-Length, which
     * internal APIs expect more often than chunked encoding; an unknown one streams chunked.
     */
    static BodyPublisher body(BodyPipe pipe, long length) {
        if (length == 0) {
            return BodyPublishers.noBody();
        }
        BodyPublisher stream = BodyPublishers.ofInputStream(once(pipe.inputStream()));
        return length > 0 ? BodyPublishers.fromPublisher(stream, length) : stream;
    }

    /**
     * The pipe can be read only once: should the client ask for the body again (a retry), it gets
     * an error instead of a silently truncated body.
     */
    private static Supplier<InputStream> once(InputStream in) {
        AtomicBoolean used = new AtomicBoolean();
        return () -> used.compareAndSet(false, true) ? in : new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("request body cannot be sent twice");
            }
        };
    }

    /**
     * Copies end-to-end headers. java.net.http refuses some names (Host, Content-Length, Expect,
     * ...) and sets them itself; those and any other header it rejects are skipped, not fatal.
     */
    private static void copyHeaders(Map<String, List<String>> headers, HttpRequest.Builder builder) {
        for (Map.Entry<String, List<String>> h : HopByHop.endToEnd(headers).entrySet()) {
            for (String value : h.getValue()) {
                try {
                    builder.header(h.getKey(), value);
                } catch (IllegalArgumentException skipped) {
                    break;
                }
            }
        }
    }
}
