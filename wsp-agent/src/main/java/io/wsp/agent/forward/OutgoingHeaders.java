package io.wsp.agent.forward;

import io.wsp.protocol.HeadCodec;
import io.wsp.protocol.ProxyHeaders;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * What of a request's head goes to the internal API, and the checks that keep a header from
 * splitting the request. Pure: no I/O.
 */
final class OutgoingHeaders {

    /**
     * Headers the HTTP client sets itself; a copy from the caller would lie. (Hop-by-hop headers
     * are gone already: {@link Exchange} keeps only {@link ProxyHeaders#forwardable} ones.)
     */
    private static final Set<String> CLIENTS_OWN = Set.of("host", "content-length", "expect");

    private OutgoingHeaders() {
    }

    /**
     * The caller's end-to-end headers ({@link ProxyHeaders#forwardable}) in order, followed by
     * {@code Host} for {@code destination}. Values the HTTP/1.1 head cannot carry (other control characters, beyond Latin-1) are skipped,
     * as {@code java.net.http} skips them.
     *
     * @throws IllegalArgumentException for a header name that is not a token, or a value with CR,
     *     LF or NUL (it could split the message); the message is a fixed, secret-free text
     */
    static HttpFields.Mutable of(URI destination, Map<String, List<String>> headers) {
        HttpFields.Mutable fields = HttpFields.build();
        fields.add(new HttpField("Host", host(destination)));
        if (headers == null) {
            return fields;
        }
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            String name = h.getKey();
            if (name == null || !HeadCodec.isToken(name)) {
                throw new IllegalArgumentException("invalid header name");
            }
            if (h.getValue() == null || CLIENTS_OWN.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : h.getValue()) {
                if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("invalid header value");
                }
                if (isFieldValue(value)) {
                    fields.add(new HttpField(name, value.strip()));
                }
            }
        }
        return fields;
    }

    /** The destination's host, with its port unless it is the scheme's default. */
    static String host(URI destination) {
        int defaultPort = "https".equalsIgnoreCase(destination.getScheme()) ? 443 : 80;
        int port = destination.getPort();
        return port == -1 || port == defaultPort ? destination.getHost() : destination.getHost() + ":" + port;
    }

    /**
     * Checks the raw path and query, which go out exactly as the caller wrote them.
     *
     * @throws IllegalArgumentException for a space, control or non-ASCII character
     */
    static void checkTarget(URI destination) {
        String path = destination.getRawPath();
        String query = destination.getRawQuery();
        String target = (path == null ? "" : path) + (query == null ? "" : "?" + query);
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException("invalid request target");
            }
        }
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
