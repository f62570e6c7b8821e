package io.wsp.server.agent;

import io.wsp.protocol.CloseReasons;
import io.wsp.protocol.Greeting;
import io.wsp.protocol.Labels;
import io.wsp.protocol.ProtocolException;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.registry.AgentRegistry;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Where agents connect. The first text message is the greeting that registers the connection in
 * its agent's pool; after that, messages belong to the request the connection is carrying.
 * One instance per WebSocket session; the container calls it one message at a time.
 */
@ServerEndpoint("/register")
public class AgentEndpoint {

    private static final System.Logger LOG = System.getLogger(AgentEndpoint.class.getName());

    @Inject
    AgentRegistry registry;

    @Inject
    AgentCredentials credentials;

    @Inject
    AuthCounters counters;

    @Inject
    Handshakes handshakes;

    private AgentConnection connection;
    /** What the handshake filter checked for this connection; null when it did not run. */
    private Handshake handshake;

    @OnOpen
    public void open(Session session) {
        // Liveness comes from pings, not from a silence limit that would cut long-idle pooled
        // connections. Set only when needed: on Payara each call schedules a task on a managed
        // executor, whose context capture scans the class path.
        if (session.getMaxIdleTimeout() != 0) {
            session.setMaxIdleTimeout(0);
        }
        session.setMaxTextMessageBufferSize(WspProtocol.MAX_TEXT_MESSAGE);
        List<String> token = session.getRequestParameterMap().get(Handshakes.PARAMETER);
        handshake = handshakes.take(token == null || token.isEmpty() ? null : token.get(0)).orElse(null);
    }

    @OnMessage
    public void text(String message, Session session) {
        if (connection != null) {
            connection.heard();
            connection.onText(message);
            return;
        }
        try {
            Greeting greeting = Greeting.parse(message);
            if (!credentials.permits(handshake == null ? null : handshake.proved(), greeting.agentId())) {
                refuse(session, greeting.agentId());
                return;
            }
            connection = new AgentConnection(session, greeting.agentId(), greeting.poolIdleSize(),
                    handshake == null ? Labels.NONE : handshake.labels(), handshake == null ? null : handshake.remoteAddress());
            registry.add(connection);
            LOG.log(System.Logger.Level.DEBUG, "{0} registered", connection);
        } catch (ProtocolException e) {
            LOG.log(System.Logger.Level.WARNING, "agent greeting from {0} refused: {1}", from(), e.getMessage());
            closeQuietly(session, e.getMessage());
        }
    }

    /** The key was good but not for this id: closed with no detail, like the 401 before the upgrade. */
    private void refuse(Session session, String agentId) {
        counters.registrationRefused();
        LOG.log(System.Logger.Level.WARNING, "agent registration refused from {0}: its key is not for agent id {1}",
                from(), agentId);
        closeQuietly(session, CloseReason.CloseCodes.VIOLATED_POLICY, "unauthorized");
    }

    /** Where the handshake came from, as {@link HandshakeFilter} recorded it. */
    private String from() {
        return handshake != null ? handshake.remoteAddress() : "an unchecked handshake";
    }

    @OnMessage
    public void binary(ByteBuffer frame, boolean last, Session session) {
        if (connection == null) {
            LOG.log(System.Logger.Level.WARNING, "agent connection from {0} closed: binary message before the greeting",
                    from());
            closeQuietly(session, "greeting expected");
            return;
        }
        connection.heard();
        connection.onBinary(frame, last);
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        if (connection != null) {
            connection.heard();
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        end("closed: " + reason.getCloseCode().getCode()
                + (reason.getReasonPhrase().isEmpty() ? "" : " " + reason.getReasonPhrase()));
    }

    @OnError
    public void error(Session session, Throwable failure) {
        LOG.log(System.Logger.Level.WARNING, "{0} failed: {1}",
                connection == null ? "unregistered agent connection" : connection, String.valueOf(failure));
        end("failed: " + failure.getMessage());
        closeQuietly(session, "connection error");
    }

    private void end(String why) {
        AgentConnection c = connection;
        if (c != null) {
            registry.remove(c);
            c.onClosed(why);
        }
    }

    private static void closeQuietly(Session session, String reason) {
        closeQuietly(session, CloseReason.CloseCodes.getCloseCode(WspProtocol.CLOSE_PROTOCOL_ERROR), reason);
    }

    private static void closeQuietly(Session session, CloseReason.CloseCode code, String reason) {
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(code, CloseReasons.fit(reason)));
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "close failed: {0}", e.getMessage());
        }
    }
}
