package io.wsp.server.websocket;

import io.wsp.protocol.websocket.CloseCodes;
import io.wsp.protocol.websocket.FrameReader;
import io.wsp.protocol.websocket.FrameSender;
import io.wsp.protocol.websocket.PeerFrames;
import io.wsp.protocol.websocket.WebSocketProtocolException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server end of one WebSocket connection, on the Servlet API's HTTP upgrade: frames are read
 * as the container reports data (non-blocking) and written by whoever sends (blocking, one sender
 * at a time). It answers pings and completes the closing handshake itself ({@link PeerFrames}); its
 * {@link WebSocketListener} hears messages, pongs and the end.
 *
 * <p>Why not the Jakarta WebSocket API: on Payara its implementation cost more per message than
 * the rest of a proxied request (it schedules an idle-timer task per message on a managed executor
 * whose context capture scans the class path, and masks byte by byte); see the README, "Measured
 * so far".
 *
 * <p>Life cycle: {@code request.upgrade(ServerWebSocket.class)}, then {@link #start} before the
 * servlet returns; the container then calls {@link #init}.
 */
public final class ServerWebSocket implements WebSocket, HttpUpgradeHandler, ReadListener {

    private static final System.Logger LOG = System.getLogger(ServerWebSocket.class.getName());

    /** How long a peer gets to answer our close frame before the connection is dropped. */
    private static final long CLOSE_WAIT_MILLIS = 2_000;

    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final AtomicBoolean ended = new AtomicBoolean();

    private WebSocketListener listener;
    private ScheduledExecutorService timer;
    private int maxTextBytes;
    private FrameReader reader;
    private WebConnection connection;
    private ServletInputStream in;
    private volatile FrameSender sender;
    /** The peer's close arrived, or the connection is being dropped: nothing more is read. */
    private volatile boolean readingDone;

    /**
     * @param maxTextBytes the largest text message accepted; a larger one closes with 1009
     * @param timer        runs the deadline of a closing handshake the peer does not finish
     */
    public void start(WebSocketListener listener, int maxTextBytes, ScheduledExecutorService timer) {
        this.listener = listener;
        this.timer = timer;
        this.maxTextBytes = maxTextBytes;
    }

    @Override
    public void init(WebConnection connection) {
        this.connection = connection;
        try {
            FrameSender s = new FrameSender(connection.getOutputStream(), false,
                    e -> drop(CloseCodes.ABNORMAL, "write failed: " + e.getMessage()));
            sender = s;
            reader = new FrameReader(true, maxTextBytes, new PeerFrames(s, CLOSE_WAIT_MILLIS, listener, this::drop));
            in = connection.getInputStream();
            in.setReadListener(this);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "WebSocket connection could not start: {0}", e.toString());
            drop(CloseCodes.ABNORMAL, "could not start: " + e.getMessage());
        }
    }

    @Override
    public void onDataAvailable() {
        try {
            while (!readingDone && in.isReady()) {
                int n = in.read(readBuffer.array());
                if (n < 0) {
                    return;
                }
                readBuffer.clear().limit(n);
                reader.feed(readBuffer);
            }
            if (!readingDone) {
                listener.onReadPause();
            }
        } catch (WebSocketProtocolException e) {
            readingDone = true;
            LOG.log(System.Logger.Level.DEBUG, "peer broke the protocol: {0}", e.getMessage());
            close(e.closeCode(), e.getMessage());
        } catch (IOException e) {
            drop(CloseCodes.ABNORMAL, "read failed: " + e.getMessage());
        } catch (RuntimeException e) {
            // A bug of ours while handling a message: this connection goes, the server stays.
            readingDone = true;
            LOG.log(System.Logger.Level.WARNING, "WebSocket message handling failed: {0}", e.toString());
            close(CloseCodes.UNEXPECTED_CONDITION, "internal error");
        }
    }

    @Override
    public void onAllDataRead() {
        drop(CloseCodes.ABNORMAL, "connection lost");
    }

    @Override
    public void onError(Throwable failure) {
        drop(CloseCodes.ABNORMAL, "connection failed: " + failure);
    }

    @Override
    public void destroy() {
        end(CloseCodes.ABNORMAL, "connection closed");
    }

    @Override
    public void sendText(String message) throws IOException {
        send(w -> w.text(message));
    }

    @Override
    public void sendBinary(ByteBuffer data, boolean last) throws IOException {
        send(w -> w.binary(data, last));
    }

    @Override
    public void sendTextThenBinary(String message, ByteBuffer data) throws IOException {
        send(w -> w.textThenBinary(message, data));
    }

    @Override
    public boolean ping() {
        FrameSender s = sender;
        return s != null && s.ping();
    }

    /**
     * Starts the closing handshake: sends a close frame, then waits a moment for the peer's before
     * dropping the connection. The listener hears this code.
     */
    @Override
    public void close(int code, String reason) {
        FrameSender s = sender;
        if (s == null) {
            drop(code, reason);
            return;
        }
        try {
            if (s.close(code, reason, CLOSE_WAIT_MILLIS)) {
                timer.schedule(() -> drop(code, reason), CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (IOException | RuntimeException e) {
            drop(code, reason);
        }
    }

    @Override
    public boolean isOpen() {
        FrameSender s = sender;
        return !ended.get() && (s == null || !s.closeSent());
    }

    private void send(FrameSender.Send send) throws IOException {
        FrameSender s = sender;
        if (s == null) {
            throw new IOException("WebSocket connection not started");
        }
        s.send(send);
    }

    /** Ends the connection without more ado. */
    private void drop(int code, String reason) {
        readingDone = true;
        WebConnection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the connection failed: {0}", e.toString());
            }
        }
        end(code, reason);
    }

    private void end(int code, String reason) {
        if (ended.compareAndSet(false, true) && listener != null) {
            listener.onClosed(code, reason);
        }
    }
}
