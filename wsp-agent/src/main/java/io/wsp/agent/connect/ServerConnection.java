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
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One WebSocket connection to a wsp server, serving one request at a time: the Tyrus endpoint of
 * that connection.
 *
 * <p>Threads:
 * <ul>
 * <li>the connection's Tyrus worker runs {@link #onOpen}, the message handlers, {@link #onError}
 *     and the server's close; it starts each {@link Exchange} and feeds it the request body, and
 *     may block there (a name look-up, backpressure), which stalls this connection only (see
 *     {@link Dialer});</li>
 * <li>the exchange calls the {@link ResponseSink} methods from the worker, a Jetty thread or a
 *     relay worker, one at a time; only {@link #sendHeadAndBody} may run on Jetty's threads, and it
 *     never blocks;</li>
 * <li>the pool and the agent call {@link #close}, {@link #checkLiveness} and {@link #isIdle} from
 *     any thread; our own close runs {@link #onClose} on the closing thread.</li>
 * </ul>
 * Every send of a message holds {@link #sendLock}: the greeting, two exchanges back to back, and
 * closes come from different threads, a response's last frame must leave before the next
 * request's, and {@link RemoteEndpoint.Basic} allows one sender at a time. Pings need no turn:
 * Tyrus writes a control frame whole, between frames of a message. The connection never calls its
 * {@link Listener} while holding its own lock, so the pool may query it under the pool's lock.
 */
final class ServerConnection extends Endpoint implements ResponseSink {

    /** Peer closes sooner than this after the greeting, before any request, count as failed attempts. */
    static final long EARLY_CLOSE_NANOS = 2_000_000_000L;

    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());
    private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);

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

    /** Held by whoever sends a message on the session. */
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

    /**
     * The handshake succeeded: greets the server. Tyrus reads nothing more of the connection until
     * this returns, so a close from here on is heard (and reported) by {@link #onClose}.
     */
    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // Silence counts from the open, not from the dial: a slow handshake must not earn a ping
        // ahead of the greeting.
        heard();
        // The session's limits and its idle timeout of -1 are the client's defaults (see Dialer).
        session.addMessageHandler(String.class, this::onText);
        session.addMessageHandler(ByteBuffer.class, this::onBinary);
        session.addMessageHandler(PongMessage.class, pong -> heard());
        synchronized (this) {
            this.session = session;
            this.state = State.IDLE;
            this.openedAtNanos = System.nanoTime();
        }
        if (!listener.opened(this)) {
            close(CloseCodes.GOING_AWAY.getCode(), "agent shutting down");
            return;
        }
        try {
            synchronized (sendLock) {
                send(remote -> remote.sendText(greeting.encode()));
            }
        } catch (IOException | RuntimeException e) {
            close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "greeting failed");
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
            close(WspProtocol.CLOSE_NOT_RESPONDING, "no pong");
        } else if (!pingUnanswered) {
            lastPingNanos = nowNanos;
            pingUnanswered = true;
            Session s = current();
            try {
                // Not awaited: a server that stopped reading must not hold up the pool's scheduler.
                s.getAsyncRemote().sendPing(NO_PAYLOAD);
            } catch (IOException | RuntimeException e) {
                close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "ping failed");
            }
        }
    }

    private void onText(String text) {
        heard();
        if (text.length() > WspProtocol.MAX_TEXT_MESSAGE) {
            // Tyrus holds a message sent in several frames to the session's limit, but one sent in
            // a single frame only to the frame limit (Dialer.INCOMING_BUFFER_SIZE).
            protocolError(CloseCodes.TOO_BIG, "text message over " + WspProtocol.MAX_TEXT_MESSAGE + " characters");
            return;
        }
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

    /** One frame of the request body; {@code frame} is Tyrus's and is copied before this returns. */
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
            close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "interrupted");
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
            send(remote -> remote.sendText(json));
        }
    }

    @Override
    public void sendBody(ByteBuffer frame, boolean last) throws IOException {
        boolean idle = false;
        synchronized (sendLock) {
            if (last) {
                // Idle before the final frame leaves: the server may send the next request the moment
                // it has it. A new exchange's first send waits for sendLock, so sends never overlap.
                idle = responseSent();
            }
            send(remote -> remote.sendBinary(frame, last));
        }
        if (idle) {
            listener.stateChanged(this);
        }
    }

    /**
     * Two messages queued in one turn of the send lock, without waiting for them to be written:
     * Tyrus's asynchronous sends go to the same write queue as its blocking ones, in order, so the
     * next exchange's messages still leave after these.
     */
    @Override
    public CompletionStage<Void> sendHeadAndBody(ResponseHead head, ByteBuffer body) {
        String json = codec.encode(head);
        CompletableFuture<Void> written = new CompletableFuture<>();
        boolean idle;
        synchronized (sendLock) {
            try {
                RemoteEndpoint.Async remote = openSession().getAsyncRemote();
                remote.sendText(json, result -> {
                    if (!result.isOK()) {
                        writeFailed(result, written);
                    }
                });
                // Idle before the body leaves, as in sendBody.
                idle = responseSent();
                remote.sendBinary(body, result -> {
                    if (result.isOK()) {
                        written.complete(null);
                    } else {
                        writeFailed(result, written);
                    }
                });
            } catch (IOException closed) {
                return CompletableFuture.failedFuture(closed);
            } catch (IllegalStateException closedMeanwhile) {
                return CompletableFuture.failedFuture(closedUnderSend(closedMeanwhile));
            }
        }
        if (idle) {
            listener.stateChanged(this);
        }
        return written;
    }

    /** A queued message could not be written: the server can only learn of it by losing the connection. */
    private void writeFailed(SendResult result, CompletableFuture<Void> written) {
        Throwable why = result.getException() != null ? result.getException() : new IOException("sending to " + server + " failed");
        if (!written.completeExceptionally(why)) {
            // The head's failure was handled; the body queued behind it failed with it.
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "sending to {0} failed: {1}", server, String.valueOf(why));
        close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "sending the response failed");
    }

    @Override
    public void abort(String reason) {
        close(CloseCodes.UNEXPECTED_CONDITION.getCode(), reason);
    }

    /** Once per connection: our close, the server's, or the connection lost (1006). */
    @Override
    public void onClose(Session session, CloseReason closeReason) {
        int code = closeReason.getCloseCode().getCode();
        String reason = closeReason.getReasonPhrase();
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
    /** The response went out (or is queued to): idle again if the request body is in too. */
    private synchronized boolean responseSent() {
        responseSent = true;
        return becomeIdleIfDone();
    }

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

    /**
     * Tyrus reports what it cannot handle here (a message over its limit, a broken connection);
     * a connection in an unknown state is closed rather than trusted with the next request.
     */
    @Override
    public void onError(Session session, Throwable error) {
        LOG.log(System.Logger.Level.WARNING, "connection to {0} failed: {1}", server, error.toString());
        close(CloseCodes.UNEXPECTED_CONDITION.getCode(), "connection error");
    }

    /**
     * Closes the connection with our close frame; Tyrus reports the close to {@link #onClose} at
     * once, which cancels any request in flight.
     */
    void close(int code, String reason) {
        Session s = current();
        if (s == null || !s.isOpen()) {
            return;
        }
        try {
            s.close(new CloseReason(CloseCodes.getCloseCode(code), CloseReasons.fit(reason)));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the connection to {0} failed: {1}", server, e.toString());
        }
    }

    private void protocolError(String reason) {
        protocolError(CloseCodes.PROTOCOL_ERROR, reason);
    }

    private void protocolError(CloseCodes code, String reason) {
        LOG.log(System.Logger.Level.WARNING, "protocol error from {0}: {1}", server, reason);
        close(code.getCode(), reason);
    }

    private synchronized Session current() {
        return session;
    }

    /** One send on the session's basic remote. */
    private interface Send {
        void on(RemoteEndpoint.Basic remote) throws IOException;
    }

    /**
     * Sends holding {@link #sendLock}. Tyrus reports a session closed under the send as an
     * {@link IllegalStateException}; the sink's callers expect an {@link IOException}.
     */
    private void send(Send send) throws IOException {
        Session s = openSession();
        try {
            send.on(s.getBasicRemote());
        } catch (IllegalStateException e) {
            throw closedUnderSend(e);
        }
    }

    private Session openSession() throws IOException {
        Session s = current();
        if (s == null || !s.isOpen()) {
            throw new IOException("connection to " + server + " closed");
        }
        return s;
    }

    private IOException closedUnderSend(IllegalStateException e) {
        return new IOException("connection to " + server + " closed", e);
    }
}
