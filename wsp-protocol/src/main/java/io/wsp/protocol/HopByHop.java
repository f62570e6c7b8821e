package io.wsp.protocol;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Headers that describe one HTTP hop (RFC 9110 section 7.6.1) and so must not be copied across
 * the tunnel: each side frames its own connection.
 */
public final class HopByHop {

    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

    private HopByHop() {
    }

    public static boolean isHopByHop(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The header names, lower case, that a Connection header declares hop-by-hop as well. */
    public static Set<String> connectionOptions(Map<String, List<String>> headers) {
        Set<String> names = new HashSet<>();
        for (String value : Headers.all(headers, "Connection")) {
            if (value != null) {
                for (String option : value.split(",")) {
                    names.add(option.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    /**
     * A copy without the hop-by-hop headers, those the Connection header names, and HTTP/2
     * pseudo-headers (":status"), in the original order.
     */
    public static Map<String, List<String>> endToEnd(Map<String, List<String>> headers) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        if (headers == null) {
            return copy;
        }
        Set<String> named = connectionOptions(headers);
        headers.forEach((name, values) -> {
            if (name == null || values == null || name.startsWith(":")) {
                return;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NAMES.contains(lower) && !named.contains(lower)) {
                copy.put(name, values);
            }
        });
        return copy;
    }
}
