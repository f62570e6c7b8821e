package io.wsp.protocol;

import java.util.Locale;
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
}
