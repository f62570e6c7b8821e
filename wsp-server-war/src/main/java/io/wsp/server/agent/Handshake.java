package io.wsp.server.agent;

import io.wsp.protocol.Labels;
import io.wsp.server.auth.AgentPrincipal;
import java.security.Principal;

/**
 * What an agent's handshake said and proved, carried from {@link HandshakeFilter} (which sees the
 * HTTP headers) to {@link AgentEndpoint} (which gets the greeting) as the request's principal: the
 * WebSocket session keeps the principal, and it is the only per-connection channel between the two
 * that every Jakarta EE container honours.
 *
 * @param proved        what the key proved; null when agents need no key
 * @param remoteAddress where the handshake came from
 * @param labels        the labels the agent announced
 */
record Handshake(AgentPrincipal proved, String remoteAddress, Labels labels) implements Principal {

    @Override
    public String getName() {
        return proved != null ? proved.getName() : "agent from " + remoteAddress;
    }
}
