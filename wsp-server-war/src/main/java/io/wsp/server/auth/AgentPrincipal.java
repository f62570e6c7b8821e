package io.wsp.server.auth;

/**
 * What an agent's key proved at the handshake.
 *
 * @param agentId       the id the key belongs to; null for the shared secret
 * @param remoteAddress where the handshake came from
 */
public record AgentPrincipal(String agentId, String remoteAddress) {
}
