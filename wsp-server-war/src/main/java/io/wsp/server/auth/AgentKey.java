package io.wsp.server.auth;

import io.wsp.protocol.Greeting;

/**
 * An agent's own registration key: it registers {@code agentId} only.
 *
 * @param agentId the one id this key may register
 * @param key     the key, as a digest
 */
public record AgentKey(String agentId, KeyDigest key) {

    public AgentKey {
        if (!Greeting.validId(agentId)) {
            throw new IllegalArgumentException("agent key for an invalid agent id: " + agentId);
        }
    }
}
