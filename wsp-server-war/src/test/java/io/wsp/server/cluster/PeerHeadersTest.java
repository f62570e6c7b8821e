package io.wsp.server.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.server.config.ClusterSettings;
import java.net.URI;
import org.junit.jupiter.api.Test;

class PeerHeadersTest {

    private static final ClusterSettings ON = new ClusterSettings(true, "the-cluster-secret-0123",
            URI.create("http://10.0.0.1:8080/"), ClusterSettings.DEFAULT_CACHE_MANAGER);

    @Test
    void onlyTheExactSecretIsAccepted() {
        assertTrue(PeerHeaders.secretMatches(ON, "the-cluster-secret-0123"));
        assertFalse(PeerHeaders.secretMatches(ON, "the-cluster-secret-012"));
        assertFalse(PeerHeaders.secretMatches(ON, "the-cluster-secret-01234"));
        assertFalse(PeerHeaders.secretMatches(ON, "THE-CLUSTER-SECRET-0123"));
        assertFalse(PeerHeaders.secretMatches(ON, ""));
        assertFalse(PeerHeaders.secretMatches(ON, null));
    }

    @Test
    void nothingIsAcceptedWhenClusterModeIsOff() {
        assertFalse(PeerHeaders.secretMatches(ClusterSettings.OFF, "the-cluster-secret-0123"));
        assertFalse(PeerHeaders.secretMatches(ClusterSettings.OFF, null));
    }
}
