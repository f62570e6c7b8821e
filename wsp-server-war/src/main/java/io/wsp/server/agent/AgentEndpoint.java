package io.wsp.server.agent;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.ProtocolException;
import io.wsp.protocol.websocket.CloseCodes;
import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.registry.AgentRegistry;
import io.wsp.server.websocket.WebSocket;
import io.wsp.server.websocket.WebSocketListener;
import java.nio.ByteBuffer;

/**
 * One agent's WebSocket connection as wsp sees it. The first text message is the greeting that
 * registers the connection in its agent's pool; after that, messages belong to the request the
 * connection is carrying. Called one message at a time on the connection's read thread.
 */
final class AgentEndpoint implements WebSocketListener {

    private static final System.Logger LOG = System.getLogger(AgentEndpoint.class.getName());

    private final WebSocket socket;
    private final Handshake handshake;
    private final AgentRegistry registry;
    private final AgentCredentials credentials;
    private final AuthCounters counters;

    /** Set by the greeting, on the read thread; read by {@link #onClosed} on any thread. */
    private volatile AgentConnection connection;

    AgentEndpoint(WebSocket socket, Handshake handshake, AgentRegistry registry, AgentCredentials credentials,
            AuthCounters counters) {
        this.socket = socket;
        this.handshake = handshake;
        this.registry = registry;
        this.credentials = credentials;
        this.counters = counters;
    }

    @Override
    public void onText(String message) {
        AgentConnection c = connection;
        if (c != null) {
            c.heard();
            c.onText(message);
            return;
        }
        try {
            Greeting greeting = Greeting.parse(message);
            if (!credentials.permits(handshake.proved(), greeting.agentId())) {
                refuse(greeting.agentId());
                return;
            }
            c = new AgentConnection(socket, greeting.agentId(), greeting.poolIdleSize(), handshake.labels(),
                    handshake.remoteAddress());
            connection = c;
            registry.add(c);
            LOG.log(System.Logger.Level.DEBUG, "{0} registered", c);
        } catch (ProtocolException e) {
            LOG.log(System.Logger.Level.WARNING, "agent greeting from {0} refused: {1}", handshake.remoteAddress(),
                    e.getMessage());
            socket.close(CloseCodes.PROTOCOL_ERROR, e.getMessage());
        }
    }

    /** The key was good but not for this id: closed with no detail, like the 401 before the upgrade. */
    private void refuse(String agentId) {
        counters.registrationRefused();
        LOG.log(System.Logger.Level.WARNING, "agent registration refused from {0}: its key is not for agent id {1}",
                handshake.remoteAddress(), agentId);
        socket.close(CloseCodes.POLICY_VIOLATION, "unauthorized");
    }

    @Override
    public void onBinary(ByteBuffer chunk, boolean last) {
        AgentConnection c = connection;
        if (c == null) {
            LOG.log(System.Logger.Level.WARNING, "agent connection from {0} closed: binary message before the greeting",
                    handshake.remoteAddress());
            socket.close(CloseCodes.PROTOCOL_ERROR, "greeting expected");
            return;
        }
        c.heard();
        c.onBinary(chunk, last);
    }

    @Override
    public void onReadPause() {
        AgentConnection c = connection;
        if (c != null) {
            c.onReadPause();
        }
    }

    @Override
    public void onPong() {
        AgentConnection c = connection;
        if (c != null) {
            c.heard();
        }
    }

    @Override
    public void onClosed(int code, String reason) {
        AgentConnection c = connection;
        if (c != null) {
            registry.remove(c);
            c.onClosed("closed: " + code + (reason.isEmpty() ? "" : " " + reason));
        }
    }
}
