package io.wsp.server.agent;

import io.wsp.protocol.Labels;
import io.wsp.server.auth.AgentPrincipal;

/**
 * What an agent's handshake said and proved, learnt by {@link RegistrationFilter} from the HTTP
 * request and kept by the connection's {@link AgentEndpoint}, which gets the greeting.
 *
 * @param proved        what the key proved; null when agents need no key
 * @param remoteAddress where the handshake came from
 * @param labels        the labels the agent announced
 */
record Handshake(AgentPrincipal proved, String remoteAddress, Labels labels) {
}
