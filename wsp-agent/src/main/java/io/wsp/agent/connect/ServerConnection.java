package io.wsp.agent.connect;

import io.wsp.agent.forward.Exchange;
import io.wsp.agent.forward.Forwarder;
import io.wsp.agent.forward.ResponseSink;
import io.wsp.protocol.Greeting;
import io.wsp.protocol.HeadCodec;
import io.wsp.protocol.ProtocolException;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.agent.websocket.ClientWebSocket;
import io.wsp.protocol.websocket.CloseCodes;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * One WebSocket connection to a wsp server, serving one request at a time.
 *
 * <p>Threads:
 * <ul>
 * <li>the dialling thread runs {@link #opened}; the socket's reader thread runs the message
 *     callbacks and {@link #onClose};
 *     it feeds request bodies to the current {@link Exchange} and may block there (backpressure);</li>
 * <li>one relay worker per exchange calls the {@link ResponseSink} methods;</li>
 * <li>the pool and the agent call {@link #close} and {@link #isIdle} from any thread.</li>
 * </ul>
 * Every send holds {@link #sendLock}: the greeting, two exchanges back to back, and closes come
 * from different threads, and a response's last frame must leave before the next request's. The connection
 * never calls its {@link Listener} while holding its own lock, so the pool may query it under the
 * pool's lock.
 */
final class ServerConnection implements ClientWebSocket.Listener, ResponseSink {

    /** Peer closes sooner than this after the greeting, before any request, count as failed attempts. */
    static final long EARLY_CLOSE_NANOS = 2_000_000_000L;

    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    /** What the pool learns from a connection. */
    interface Listener {

        /** The handshake succeeded; false means the pool is closing and the connection must go. */
        boolean opened(ServerConnection connection);

        /** The connection became busy or idle. */
        void stateChanged(ServerConnection connection);

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
    private ClientWebSocket socket;
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

    /** The handshake succeeded: greets the server, then starts hearing it. */
    void opened(ClientWebSocket socket) {
        // Silence counts from the open, not from the dial: a slow handshake must not earn a ping
        // ahead of the greeting.
        heard();
        synchronized (this) {
            this.socket = socket;
            this.state = State.IDLE;
            this.openedAtNanos = System.nanoTime();
        }
        // Reading starts first, so that a close from here on is heard (and reported) by onClose.
        socket.start(this, WspProtocol.MAX_TEXT_MESSAGE);
        if (!listener.opened(this)) {
            close(CloseCodes.GOING_AWAY, "agent shutting down");
            return;
        }
        try {
            synchronized (sendLock) {
                socket.sendText(greeting.encode());
            }
        } catch (IOException | RuntimeException e) {
            close(CloseCodes.UNEXPECTED_CONDITION, "greeting failed");
        }
    }

    @Override
    public void onPong() {
        heard();
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
            close(WspProtocol.CLOSE_NOT_RESPONDING, "no pong");
        } else if (!pingUnanswered) {
            lastPingNanos = nowNanos;
            pingUnanswered = true;
            ClientWebSocket s = current();
            if (s == null || !s.ping()) {
                close(CloseCodes.UNEXPECTED_CONDITION, "ping failed");
            }
        }
    }

    @Override
    public void onText(String text) {
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
        listener.stateChanged(this);
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

    @Override
    public void onBinary(ByteBuffer frame, boolean last) {
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
                listener.stateChanged(this);
            }
        }
    }

    @Override
    public void sendHead(ResponseHead head) throws IOException {
        String json = codec.encode(head);
        synchronized (sendLock) {
            open().sendText(json);
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
            open().sendBinary(frame, last);
        }
        if (idle) {
            listener.stateChanged(this);
        }
    }

    @Override
    public void sendHeadAndBody(ResponseHead head, ByteBuffer body) throws IOException {
        String json = codec.encode(head);
        boolean idle;
        synchronized (sendLock) {
            // Idle before the message leaves, as in sendBody.
            synchronized (this) {
                responseSent = true;
                idle = becomeIdleIfDone();
            }
            open().sendTextThenBinary(json, body);
        }
        if (idle) {
            listener.stateChanged(this);
        }
    }

    @Override
    public void abort(String reason) {
        close(CloseCodes.UNEXPECTED_CONDITION, reason);
    }

    @Override
    public void onClose(int code, String reason) {
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
        LOG.log(System.Logger.Level.INFO, "disconnected from {0}: {1} {2}", server, String.valueOf(code), reason);
        listener.closed(this, early);
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
    void closeIfIdle(int code, String reason) {
        synchronized (sendLock) {
            if (isIdle()) {
                close(code, reason);
            }
        }
    }

    /** Closes the connection; its {@link #onClose} then cancels any request in flight. */
    void close(int code, String reason) {
        ClientWebSocket s = current();
        if (s != null && s.isOpen()) {
            s.close(code, reason);
        }
    }

    /** On this connection's reading thread (see {@link ClientWebSocket#handOff}), else on {@code workers}. */
    @Override
    public void runBodiless(Runnable work, Executor workers) {
        ClientWebSocket s = current();
        if (s == null || !s.handOff(work)) {
            workers.execute(work);
        }
    }

    private void protocolError(String reason) {
        LOG.log(System.Logger.Level.WARNING, "protocol error from {0}: {1}", server, reason);
        close(CloseCodes.PROTOCOL_ERROR, reason);
    }

    private synchronized ClientWebSocket current() {
        return socket;
    }

    private ClientWebSocket open() throws IOException {
        ClientWebSocket s = current();
        if (s == null || !s.isOpen()) {
            throw new IOException("connection closed");
        }
        return s;
    }
}
