package io.wsp.agent.connect;

import io.wsp.agent.forward.Exchange;
import io.wsp.agent.forward.Forwarder;
import io.wsp.agent.forward.ResponseSink;
import io.wsp.protocol.CloseReasons;
import io.wsp.protocol.Greeting;
import io.wsp.protocol.HeadCodec;
import io.wsp.protocol.ProtocolException;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;

/**
 * One WebSocket connection to a wsp server, serving one request at a time.
 *
 * <p>Threads:
 * <ul>
 * <li>the receive thread (Tyrus) runs {@link #onOpen}, the message handlers and {@link #onClose};
 *     it feeds request bodies to the current {@link Exchange} and may block there (backpressure);</li>
 * <li>one relay worker per exchange calls the {@link ResponseSink} methods;</li>
 * <li>the pool and the agent call {@link #close} and {@link #isIdle} from any thread.</li>
 * </ul>
 * Every send holds {@link #sendLock}: {@code RemoteEndpoint.Basic} forbids concurrent sends, and
 * the greeting, two exchanges back to back, and closes come from different threads. The connection
 * never calls its {@link Listener} while holding its own lock, so the pool may query it under the
 * pool's lock.
 */
final class ServerConnection extends Endpoint implements ResponseSink {

    /** Peer closes sooner than this after the greeting, before any request, count as failed attempts. */
    static final long EARLY_CLOSE_NANOS = 2_000_000_000L;

    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    /** What the pool learns from a connection. */
    interface Listener {

        /** The handshake succeeded; false means the pool is closing and the connection must go. */
        boolean opened(ServerConnection connection);

        /** The connection became busy or idle. */
        void stateChanged();

        /** The connection is closed; {@code early} when it closed before serving anything. */
        void closed(ServerConnection connection, boolean early);
    }

    private enum State { OPENING, IDLE, BUSY, CLOSED }

    private final URI server;
    private final Greeting greeting;
    private final Forwarder forwarder;
    private final HeadCodec codec;
    private final Listener listener;

    /** Held by whoever sends on the session. */
    private final Object sendLock = new Object();

    // Guarded by this.
    private Session session;
    private State state = State.OPENING;
    private Exchange exchange;
    private boolean requestBodyReceived;
    private boolean responseSent;
    private boolean servedRequest;
    private long openedAtNanos;

    // Written on the receive thread (heard) and the pool's liveness check (ping).
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastPingNanos;
    /** A ping went out and nothing was heard since. */
    private volatile boolean pingUnanswered;

    ServerConnection(URI server, Greeting greeting, Forwarder forwarder, HeadCodec codec, Listener listener) {
        this.server = server;
        this.greeting = greeting;
        this.forwarder = forwarder;
        this.codec = codec;
        this.listener = listener;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // Silence counts from the open, not from the dial: a slow handshake must not earn a ping
        // ahead of the greeting.
        heard();
        synchronized (this) {
            this.session = session;
            this.state = State.IDLE;
            this.openedAtNanos = System.nanoTime();
        }
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
        // Partial: each frame arrives on its own, so a body is never held whole in memory.
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) this::onBinary);
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> heard());
        if (!listener.opened(this)) {
            close(CloseCodes.GOING_AWAY, "agent shutting down");
            return;
        }
        try {
            synchronized (sendLock) {
                session.getBasicRemote().sendText(greeting.encode());
            }
        } catch (IOException | RuntimeException e) {
            close(CloseCodes.UNEXPECTED_CONDITION, "greeting failed");
        }
    }

    private void heard() {
        lastHeardNanos = System.nanoTime();
        pingUnanswered = false;
    }

    /**
     * Keeps an idle connection honest: pings it after {@code interval} of silence and closes it
     * when that ping goes unanswered for another interval, so a server that died without closing
     * (host gone, network cut) is replaced instead of waited on. Only an unanswered ping condemns
     * a connection: a check that ran late (a busy machine) must not take silence for death.
     * Busy connections are left alone: their request decides their fate.
     */
    void checkLiveness(long nowNanos, long intervalNanos) {
        if (!isIdle()) {
            return;
        }
        if (nowNanos - lastHeardNanos <= intervalNanos) {
            return;
        }
        if (pingUnanswered && nowNanos - lastPingNanos > intervalNanos) {
            LOG.log(System.Logger.Level.WARNING, "{0} answered no ping for {1} ms: reconnecting", server,
                    String.valueOf((nowNanos - lastPingNanos) / 1_000_000));
            close(CloseCodes.getCloseCode(WspProtocol.CLOSE_NOT_RESPONDING), "no pong");
        } else if (!pingUnanswered) {
            lastPingNanos = nowNanos;
            pingUnanswered = true;
            try {
                synchronized (sendLock) {
                    remote().sendPing(ByteBuffer.allocate(0));
                }
            } catch (IOException | RuntimeException e) {
                close(CloseCodes.UNEXPECTED_CONDITION, "ping failed");
            }
        }
    }

    private void onText(String text) {
        heard();
        if (!isIdle()) {
            protocolError("text message while a request is in progress");
            return;
        }
        RequestHead head;
        try {
            head = codec.decodeRequest(text);
        } catch (ProtocolException e) {
            protocolError("invalid request head");
            return;
        }
        synchronized (this) {
            if (state != State.IDLE) {
                return;
            }
            state = State.BUSY;
            requestBodyReceived = false;
            responseSent = false;
            servedRequest = true;
        }
        listener.stateChanged();
        Exchange started = forwarder.start(head, this);
        boolean closedMeanwhile;
        synchronized (this) {
            exchange = started;
            closedMeanwhile = state == State.CLOSED;
        }
        if (closedMeanwhile) {
            started.cancel();
        }
    }

    private void onBinary(ByteBuffer frame, boolean last) {
        heard();
        Exchange current;
        synchronized (this) {
            current = state == State.BUSY && !requestBodyReceived ? exchange : null;
        }
        if (current == null) {
            protocolError("binary message without a request");
            return;
        }
        try {
            current.onBodyFrame(frame, last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(CloseCodes.UNEXPECTED_CONDITION, "interrupted");
            return;
        }
        if (last) {
            boolean idle;
            synchronized (this) {
                requestBodyReceived = true;
                idle = becomeIdleIfDone();
            }
            if (idle) {
                listener.stateChanged();
            }
        }
    }

    @Override
    public void sendHead(ResponseHead head) throws IOException {
        String json = codec.encode(head);
        synchronized (sendLock) {
            remote().sendText(json);
        }
    }

    @Override
    public void sendBody(ByteBuffer frame, boolean last) throws IOException {
        boolean idle = false;
        synchronized (sendLock) {
            if (last) {
                // Idle before the final frame leaves: the server may send the next request the moment
                // it has it. A new exchange's first send waits for sendLock, so sends never overlap.
                synchronized (this) {
                    responseSent = true;
                    idle = becomeIdleIfDone();
                }
            }
            remote().sendBinary(frame, last);
        }
        if (idle) {
            listener.stateChanged();
        }
    }

    @Override
    public void abort(String reason) {
        close(CloseCodes.UNEXPECTED_CONDITION, reason);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        Exchange current;
        boolean early;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            early = !servedRequest && System.nanoTime() - openedAtNanos < EARLY_CLOSE_NANOS;
            state = State.CLOSED;
            current = exchange;
            exchange = null;
        }
        if (current != null) {
            current.cancel();
        }
        LOG.log(System.Logger.Level.INFO, "disconnected from {0}: {1} {2}", server,
                String.valueOf(reason.getCloseCode().getCode()), reason.getReasonPhrase());
        listener.closed(this, early);
    }

    @Override
    public void onError(Session session, Throwable error) {
        LOG.log(System.Logger.Level.WARNING, "connection to {0} failed: {1}", server, error.toString());
        close(CloseCodes.UNEXPECTED_CONDITION, "connection error");
    }

    /** Idle only when both halves of the exchange are complete. Call holding this. */
    private boolean becomeIdleIfDone() {
        if (state == State.BUSY && requestBodyReceived && responseSent) {
            state = State.IDLE;
            exchange = null;
            return true;
        }
        return false;
    }

    synchronized boolean isIdle() {
        return state == State.IDLE;
    }

    /**
     * Closes the connection if it carries no request. Holding the send lock first means a response
     * whose last frame is still being written finishes before the close goes out.
     */
    void closeIfIdle(CloseReason.CloseCode code, String reason) {
        synchronized (sendLock) {
            if (isIdle()) {
                close(code, reason);
            }
        }
    }

    /** Closes the connection; its {@link #onClose} then cancels any request in flight. */
    void close(CloseReason.CloseCode code, String reason) {
        Session s;
        synchronized (this) {
            s = session;
        }
        if (s == null || !s.isOpen()) {
            return;
        }
        try {
            s.close(new CloseReason(code, CloseReasons.fit(reason)));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing {0} failed: {1}", server, e.toString());
        }
    }

    private void protocolError(String reason) {
        LOG.log(System.Logger.Level.WARNING, "protocol error from {0}: {1}", server, reason);
        close(CloseCodes.getCloseCode(WspProtocol.CLOSE_PROTOCOL_ERROR), reason);
    }

    private RemoteEndpoint.Basic remote() throws IOException {
        Session s;
        synchronized (this) {
            s = session;
        }
        if (s == null || !s.isOpen()) {
            throw new IOException("connection closed");
        }
        return s.getBasicRemote();
    }
}
