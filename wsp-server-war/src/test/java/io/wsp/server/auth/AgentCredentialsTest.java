package io.wsp.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgentCredentialsTest {

    private final AgentCredentials both = new AgentCredentials("shared",
            List.of(new AgentKey("a1", KeyDigest.ofKey("a1-key")), new AgentKey("a2", KeyDigest.ofKey("a2-key"))));

    @Test
    void withoutAnyKeyEveryAgentMayRegister() {
        AgentCredentials open = new AgentCredentials("", List.of());
        assertFalse(open.required());
        assertTrue(open.permits(null, "anyone"));
    }

    @Test
    void aPerAgentKeyRegistersItsOwnIdOnly() {
        AgentPrincipal a1 = both.authenticate("a1-key", "192.0.2.1").orElseThrow();
        assertEquals("a1", a1.agentId());
        assertEquals("192.0.2.1", a1.remoteAddress());
        assertTrue(both.permits(a1, "a1"));
        assertFalse(both.permits(a1, "a2"));
        assertFalse(both.permits(a1, "other"));
    }

    @Test
    void theSharedSecretRegistersOnlyIdsWithoutAKeyOfTheirOwn() {
        AgentPrincipal shared = both.authenticate("shared", "192.0.2.1").orElseThrow();
        assertTrue(both.permits(shared, "other"));
        assertFalse(both.permits(shared, "a1"));
    }

    @Test
    void anUnknownOrMissingKeyProvesNothing() {
        assertTrue(both.authenticate("a1-key ", "192.0.2.1").isEmpty());
        assertTrue(both.authenticate("", "192.0.2.1").isEmpty());
        assertTrue(both.authenticate(null, "192.0.2.1").isEmpty());
    }

    @Test
    void anUncheckedHandshakeIsRefusedWhenKeysAreRequired() {
        assertFalse(both.permits(null, "other"));
    }

    @Test
    void perAgentKeysAloneRequireAKey() {
        AgentCredentials perAgent = new AgentCredentials("", List.of(new AgentKey("a1", KeyDigest.ofKey("a1-key"))));
        assertTrue(perAgent.required());
        assertFalse(perAgent.hasSharedSecret());
        assertTrue(perAgent.authenticate("", "192.0.2.1").isEmpty());
    }

    @Test
    void aKeyMayBelongToOneAgentOnly() {
        assertThrows(IllegalArgumentException.class, () -> new AgentCredentials("k",
                List.of(new AgentKey("a1", KeyDigest.ofKey("k")))));
        assertThrows(IllegalArgumentException.class, () -> new AgentCredentials("", List.of(
                new AgentKey("a1", KeyDigest.ofKey("k")), new AgentKey("a2", KeyDigest.ofKey("k")))));
        assertThrows(IllegalArgumentException.class, () -> new AgentCredentials("", List.of(
                new AgentKey("a1", KeyDigest.ofKey("k1")), new AgentKey("a1", KeyDigest.ofKey("k2")))));
    }
}
