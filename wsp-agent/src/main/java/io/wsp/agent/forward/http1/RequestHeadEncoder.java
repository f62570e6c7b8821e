package io.wsp.agent.forward.http1;

import io.wsp.protocol.HopByHop;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Writes the HTTP/1.1 request head: pure, no I/O. */
final class RequestHeadEncoder {

    /** Framing and connection headers this client sets itself; a copy from the caller would lie. */
    private static final Set<String> OWN_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "expect", "keep-alive", "te", "upgrade");

    /** Methods that define no meaning for a body: without one they get no Content-Length (RFC 9110 8.6). */
    private static final Set<String> BODYLESS_METHODS = Set.of("GET", "HEAD", "DELETE", "OPTIONS", "TRACE");

    private RequestHeadEncoder() {
    }

    /**
     * The head for {@code method} on {@code destination}: Host from the destination, the caller's
     * end-to-end headers, then Content-Length for a known length or chunked for an unknown one (-1);
     * neither for an empty body of a method that does not expect one.
     *
     * @throws IllegalArgumentException for a method, target or header name that cannot be written, or a
     *     header value with CR, LF or NUL (it could split the message)
     */
    static byte[] encode(String method, URI destination, Route route, Map<String, List<String>> headers,
            long contentLength) {
        if (method == null || !isToken(method)) {
            throw new IllegalArgumentException("invalid method");
        }
        String target = target(destination);
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(route.hostHeader()).append("\r\n");
        if (headers != null) {
            Set<String> named = HopByHop.connectionOptions(headers);
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                String name = h.getKey();
                if (name == null || !isToken(name)) {
                    throw new IllegalArgumentException("invalid header name");
                }
                String lower = name.toLowerCase(Locale.ROOT);
                if (h.getValue() == null || HopByHop.isHopByHop(name) || OWN_HEADERS.contains(lower)
                        || named.contains(lower)) {
                    continue;
                }
                for (String value : h.getValue()) {
                    if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0
                            || value.indexOf('\0') >= 0) {
                        throw new IllegalArgumentException("invalid header value");
                    }
                    if (isFieldValue(value)) {
                        head.append(name).append(": ").append(value.strip()).append("\r\n");
                    }
                    // Else skipped, as java.net.http skips what it cannot send: other controls, non-Latin-1.
                }
            }
        }
        if (contentLength < 0) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (contentLength > 0 || !BODYLESS_METHODS.contains(method)) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        head.append("\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The raw path and query, "/" for an empty path: sent exactly as the caller wrote it. */
    static String target(URI destination) {
        String path = destination.getRawPath();
        String target = path == null || path.isEmpty() ? "/" : path;
        if (destination.getRawQuery() != null) {
            target += "?" + destination.getRawQuery();
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException("invalid request target");
            }
        }
        return target;
    }

    /** RFC 9110 token: visible ASCII except delimiters. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Visible Latin-1 text, spaces and HTAB: no control character, nothing ISO-8859-1 cannot encode. */
    private static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }
}
