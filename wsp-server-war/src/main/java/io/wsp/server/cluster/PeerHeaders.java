package io.wsp.server.cluster;

import io.wsp.server.config.ClusterSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/** What a node adds to a request it forwards to another, and how the receiver checks it. */
public final class PeerHeaders {

    /** The internal endpoint, below a node's base URL. */
    public static final String PATH = "cluster/request";
    /** The cluster secret: only nodes of this cluster may use the internal endpoint. */
    public static final String SECRET = "X-WSP-Cluster-Secret";
    /** The id of the node that forwarded the request. */
    public static final String NODE = "X-WSP-Cluster-Node";
    /** The caller's name as the forwarding node authenticated it, for the receiver's log. */
    public static final String CALLER = "X-WSP-Caller";
    /** Lower case: never passed on to the agent. */
    public static final Set<String> ALL = Set.of("x-wsp-cluster-secret", "x-wsp-cluster-node", "x-wsp-caller");

    private PeerHeaders() {
    }

    /** Compares in constant time, so the secret cannot be guessed a byte at a time from response times. */
    public static boolean secretMatches(ClusterSettings settings, String presented) {
        if (!settings.enabled() || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(settings.secret().getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
