package io.wsp.rules;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What rules look at in a request: method, URL and headers as sent, the host (lower case, IPv6
 * without brackets) and port (the scheme's default when the URL has none; -1 when unknown) taken
 * from the URL, and the address it will reach, when known: null for a name not resolved (yet).
 */
public record Target(String method, String url, Map<String, List<String>> headers, String host, int port,
        InetAddress address) {

    /** A target whose address is known only when the URL names an IP literal; never looks a name up. */
    public static Target of(String method, String url, Map<String, List<String>> headers) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return new Target(method, url, headers, "", -1, null);
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Target(method, url, headers, host, port(uri), IpLiteral.parse(host).orElse(null));
    }

    /** The same request, reaching {@code resolved}. */
    public Target withAddress(InetAddress resolved) {
        return new Target(method, url, headers, host, port, resolved);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
    }
}
