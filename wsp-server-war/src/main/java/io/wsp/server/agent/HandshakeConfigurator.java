package io.wsp.server.agent;

import io.wsp.protocol.Headers;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Gives each agent connection the {@link Handshake} its {@link RegistrationFilter} checked.
 *
 * <p>Jakarta WebSocket 2.1 (its section "Handshake modification") makes the user properties
 * seen in {@code modifyHandshake} a copy per connection, and the session's user properties start
 * from that copy; Tyrus 2.2 does so (a map per upgrade request, copied into the session). Earlier
 * containers shared one map among all handshakes: there, concurrent handshakes could mix agents'
 * data, so wsp needs a WebSocket 2.1 (Jakarta EE 10) container.
 */
public class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    private static final String HANDSHAKE = Handshake.class.getName();

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Handshake handshake = CDI.current().select(HandshakeTickets.class).get()
                .take(Headers.first(request.getHeaders(), HandshakeTickets.HEADER).orElse(null));
        if (handshake != null) {
            config.getUserProperties().put(HANDSHAKE, handshake);
        }
    }

    /** What the filter learnt of this session's handshake; null if it never saw the handshake. */
    static Handshake of(Session session) {
        return session.getUserProperties().get(HANDSHAKE) instanceof Handshake h ? h : null;
    }
}
