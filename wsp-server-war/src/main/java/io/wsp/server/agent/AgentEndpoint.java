package io.wsp.server.agent;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.ProtocolException;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.registry.AgentRegistry;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where agents connect, one instance per connection; {@link RegistrationFilter} has checked the
 * handshake before the upgrade. The first text message is the greeting that registers the
 * connection in its agent's pool; after that, messages belong to the request the connection is
 * carrying. The container calls one message handler at a time per connection, in order; a handler
 * that blocks (a caller reading slowly) holds back the agent, which keeps memory constant.
 */
@ServerEndpoint(value = "/register", configurator = HandshakeConfigurator.class)
public class AgentEndpoint {

    private static final System.Logger LOG = System.getLogger(AgentEndpoint.class.getName());

    @Inject
    AgentRegistry registry;

    @Inject
    AgentCredentials credentials;

    @Inject
    AuthCounters counters;

    /**
     * Set in {@link #onOpen}, before any message arrives; volatile because the close and error
     * callbacks may come on another thread (whichever closed the session).
     */
    private volatile SessionWebSocket socket;
    private volatile Handshake handshake;
    /** Set by the greeting, on a message thread; read by {@link #end} on any thread. */
    private volatile AgentConnection connection;
    private final AtomicBoolean ended = new AtomicBoolean();

    @OnOpen
    public void onOpen(Session session) {
        // Negative, not 0: Tyrus 2.2 then skips the idle-timer task it otherwise schedules per
        // message, most of the server's CPU per proxied request. Dead agents are found by pings.
        session.setMaxIdleTimeout(-1);
        // Heads are whole text messages; containers' default text buffers are as small as 8 KiB.
        session.setMaxTextMessageBufferSize(WspProtocol.MAX_TEXT_MESSAGE);
        // The binary buffer size is left at the container's default: a body is one binary message
        // of any length, taken in pieces (onBinary), and Undertow applies this size to the whole
        // of a message even then (a 64 KiB one cut every larger body, closing with 1009).
        socket = new SessionWebSocket(session);
        handshake = HandshakeConfigurator.of(session);
        if (handshake == null) {
            LOG.log(System.Logger.Level.WARNING, "agent connection closed: its handshake was not checked");
            socket.close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "handshake not checked");
        }
    }

    @OnMessage(maxMessageSize = WspProtocol.MAX_TEXT_MESSAGE)
    public void onText(String message) {
        try {
            AgentConnection c = connection;
            if (c != null) {
                c.heard();
                c.onText(message);
            } else if (handshake != null) {
                greeted(message);
            }
        } catch (RuntimeException e) {
            handlingFailed(e);
        }
    }

    @OnMessage
    public void onBinary(ByteBuffer fragment, boolean last) {
        try {
            AgentConnection c = connection;
            if (c == null) {
                LOG.log(System.Logger.Level.WARNING, "agent connection from {0} closed: binary message before the greeting",
                        remoteAddress());
                socket.close(CloseCodes.PROTOCOL_ERROR.getCode(), "greeting expected");
                return;
            }
            c.heard();
            c.onBinary(fragment, last);
        } catch (RuntimeException e) {
            handlingFailed(e);
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        AgentConnection c = connection;
        if (c != null) {
            c.heard();
        }
    }

    @OnClose
    public void onClose(CloseReason reason) {
        String text = reason.getReasonPhrase();
        end("closed: " + reason.getCloseCode().getCode() + (text == null || text.isEmpty() ? "" : " " + text));
    }

    @OnError
    public void onError(Throwable failure) {
        LOG.log(System.Logger.Level.DEBUG, "agent connection from {0} failed: {1}", remoteAddress(), failure.toString());
        if (socket != null) {
            // Not every error ends the session by itself; a connection out of the registry must not linger.
            socket.close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "internal error");
        }
        end("failed: " + failure);
    }

    private void greeted(String message) {
        Greeting greeting;
        try {
            greeting = Greeting.parse(message);
        } catch (ProtocolException e) {
            LOG.log(System.Logger.Level.WARNING, "agent greeting from {0} refused: {1}", remoteAddress(), e.getMessage());
            socket.close(CloseCodes.PROTOCOL_ERROR.getCode(), e.getMessage());
            return;
        }
        if (!credentials.permits(handshake.proved(), greeting.agentId())) {
            refuse(greeting.agentId());
            return;
        }
        AgentConnection c = new AgentConnection(socket, greeting.agentId(), greeting.poolIdleSize(), handshake.labels(),
                handshake.remoteAddress());
        connection = c;
        registry.add(c);
        LOG.log(System.Logger.Level.DEBUG, "{0} registered", c);
        if (ended.get()) {
            // The connection ended while it registered: the end found nothing to remove.
            registry.remove(c);
        }
    }

    /** The key was good but not for this id: closed with no detail, like the 401 before the upgrade. */
    private void refuse(String agentId) {
        counters.registrationRefused();
        LOG.log(System.Logger.Level.WARNING, "agent registration refused from {0}: its key is not for agent id {1}",
                remoteAddress(), agentId);
        socket.close(CloseCodes.VIOLATED_POLICY.getCode(), "unauthorized");
    }

    /** A bug of ours while handling a message: this connection goes, the server stays. */
    private void handlingFailed(RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "agent message handling failed: {0}", e.toString());
        socket.close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "internal error");
    }

    /** Once, however the connection ended: out of the registry, and the request it carried fails. */
    private void end(String reason) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        AgentConnection c = connection;
        if (c != null) {
            registry.remove(c);
            c.onClosed(reason);
        }
    }

    private String remoteAddress() {
        return handshake == null ? null : handshake.remoteAddress();
    }
}
