package io.wsp.server.auth;

import java.security.Principal;

/**
 * What an agent's handshake proved, carried from the servlet filter (where the key is known) to
 * the WebSocket endpoint (where the greeting names the agent id).
 *
 * @param agentId       the id the key belongs to; null for the shared secret, or when no key is required
 *                      ({@link AgentCredentials#permits} then looks at no principal)
 * @param remoteAddress where the handshake came from, for {@code /status} and the log when the
 *                      greeting is refused
 */
public record AgentPrincipal(String agentId, String remoteAddress) implements Principal {

    @Override
    public String getName() {
        return agentId == null ? "shared-key agent" : "agent " + agentId;
    }
}
