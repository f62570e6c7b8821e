package io.wsp.server.agent;

import io.wsp.protocol.Labels;
import jakarta.websocket.CloseReason.CloseCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One registered WebSocket connection from an agent.
 *
 * <p>Threads: {@link #state} and {@link #idleSince} are written only by the registry under its
 * lock. {@link #receiver} is set by the exchange that holds the connection while BUSY and read on
 * the WebSocket thread. The exchange holding the connection and the registry's liveness pings
 * both send; the {@link WebSocket} serialises them. {@link #lastHeardNanos} is written on the
 * WebSocket thread.
 */
public final class AgentConnection {

    private static final System.Logger LOG = System.getLogger(AgentConnection.class.getName());
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final WebSocket socket;
    private final String agentId;
    private final int poolIdleSize;
    private final Labels labels;
    private final String remoteAddress;
    private final long number = SEQUENCE.incrementAndGet();

    private volatile ConnectionState state = ConnectionState.IDLE;
    private volatile Instant idleSince = Instant.now();
    private volatile ResponseReceiver receiver;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastPingNanos = System.nanoTime();

    /** {@code remoteAddress}: where the handshake came from; null when unknown. */
    public AgentConnection(WebSocket socket, String agentId, int poolIdleSize, Labels labels, String remoteAddress) {
        this.socket = socket;
        this.agentId = agentId;
        this.poolIdleSize = poolIdleSize;
        this.labels = labels;
        this.remoteAddress = remoteAddress;
    }

    public String agentId() {
        return agentId;
    }

    /** What the agent announced at this connection's handshake. */
    public Labels labels() {
        return labels;
    }

    public int poolIdleSize() {
        return poolIdleSize;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    public ConnectionState state() {
        return state;
    }

    /** Registry only, under its lock. */
    public void state(ConnectionState state) {
        this.state = state;
        if (state == ConnectionState.IDLE) {
            idleSince = Instant.now();
        }
    }

    public Instant idleSince() {
        return idleSince;
    }

    /** The exchange that got this connection from the registry takes its incoming messages. */
    public void bind(ResponseReceiver receiver) {
        this.receiver = receiver;
    }

    public void unbind() {
        this.receiver = null;
    }

    public void sendText(String text) throws IOException {
        socket.sendText(text);
    }

    public void sendBinary(ByteBuffer frame, boolean last) throws IOException {
        socket.sendBinary(frame, last);
    }

    /**
     * Pings the agent unless a send is under way (then traffic is flowing anyway). Returns false
     * when the ping could not be sent because the connection is broken.
     */
    public boolean ping() {
        lastPingNanos = System.nanoTime();
        return socket.ping();
    }

    /** Nanos ({@link System#nanoTime}) when anything, a pong included, last came from the agent. */
    public long lastHeardNanos() {
        return lastHeardNanos;
    }

    public long lastPingNanos() {
        return lastPingNanos;
    }

    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    /** Closes the WebSocket; the endpoint's close callback then deregisters it. */
    public void close(int code, String reason) {
        if (socket.isOpen()) {
            socket.close(code, reason);
        }
    }

    /** False from the start of the closing handshake: the connection takes no more requests. */
    public boolean isOpen() {
        return socket.isOpen();
    }

    void onText(String message) {
        ResponseReceiver r = receiver;
        if (r == null) {
            protocolError("text message on an idle connection");
        } else {
            r.onResponseHead(message);
        }
    }

    void onBinary(ByteBuffer frame, boolean last) {
        ResponseReceiver r = receiver;
        if (r == null) {
            protocolError("binary message on an idle connection");
        } else {
            r.onResponseBody(frame, last);
        }
    }

    void onClosed(String reason) {
        ResponseReceiver r = receiver;
        receiver = null;
        if (r != null) {
            r.onConnectionLost(reason);
        }
    }

    public void protocolError(String what) {
        LOG.log(System.Logger.Level.WARNING, "protocol error on {0}: {1}", this, what);
        close(CloseCodes.PROTOCOL_ERROR.getCode(), what);
    }

    @Override
    public String toString() {
        return "agent " + agentId + " connection #" + number;
    }
}
