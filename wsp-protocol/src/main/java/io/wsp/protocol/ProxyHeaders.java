package io.wsp.protocol;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Headers addressed to wsp itself, which must never reach an internal API: the destination, the
 * agent choice (by id or labels) and the agent secret.
 */
public final class ProxyHeaders {

    private static final Set<String> OWN = Set.of(WspProtocol.DESTINATION_HEADER.toLowerCase(Locale.ROOT),
            WspProtocol.AGENT_HEADER.toLowerCase(Locale.ROOT), WspProtocol.AGENT_SELECTOR_HEADER.toLowerCase(Locale.ROOT),
            WspProtocol.SECRET_KEY_HEADER.toLowerCase(Locale.ROOT));

    private ProxyHeaders() {
    }

    public static boolean isOwn(String name) {
        return OWN.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The end-to-end headers ({@link HopByHop#endToEnd}) without wsp's own, in the original order. */
    public static Map<String, List<String>> forwardable(Map<String, List<String>> headers) {
        Map<String, List<String>> copy = HopByHop.endToEnd(headers);
        copy.keySet().removeIf(ProxyHeaders::isOwn);
        return copy;
    }
}
