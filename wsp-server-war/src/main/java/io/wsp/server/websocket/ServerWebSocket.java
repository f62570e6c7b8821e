package io.wsp.server.websocket;

import io.wsp.protocol.websocket.CloseCodes;
import io.wsp.protocol.websocket.FrameHandler;
import io.wsp.protocol.websocket.FrameReader;
import io.wsp.protocol.websocket.FrameWriter;
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
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server end of one WebSocket connection, on the Servlet API's HTTP upgrade: frames are read
 * as the container reports data (non-blocking) and written by whoever sends (blocking, one sender
 * at a time). It answers pings and completes the closing handshake itself; its
 * {@link WebSocketListener} hears messages, pongs and the end.
 *
 * <p>Why not the Jakarta WebSocket API: on Payara its implementation costs more per message than
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
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean ended = new AtomicBoolean();

    private WebSocketListener listener;
    private ScheduledExecutorService timer;
    private FrameReader reader;
    private WebConnection connection;
    private ServletInputStream in;
    private volatile FrameWriter writer;

    /** Written under sendLock; read without it, so the read thread never waits for a sender. */
    private volatile boolean closeSent;
    private int sentCode;
    private String sentReason;
    /** The peer's close arrived, or the connection is being dropped: nothing more is read. */
    private volatile boolean readingDone;
    /** A ping's payload whose pong waits for the sender holding the lock, or null. */
    private volatile ByteBuffer pendingPong;

    /**
     * @param maxTextBytes the largest text message accepted; a larger one closes with 1009
     * @param timer        runs the deadline of a closing handshake the peer does not finish
     */
    public void start(WebSocketListener listener, int maxTextBytes, ScheduledExecutorService timer) {
        this.listener = listener;
        this.timer = timer;
        this.reader = new FrameReader(true, maxTextBytes, new Frames());
    }

    @Override
    public void init(WebConnection connection) {
        this.connection = connection;
        try {
            writer = new FrameWriter(connection.getOutputStream(), false);
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
                    break;
                }
                readBuffer.clear().limit(n);
                reader.feed(readBuffer);
            }
        } catch (WebSocketProtocolException e) {
            readingDone = true;
            LOG.log(System.Logger.Level.DEBUG, "peer broke the protocol: {0}", e.getMessage());
            close(e.closeCode(), e.getMessage());
        } catch (IOException e) {
            drop(CloseCodes.ABNORMAL, "read failed: " + e.getMessage());
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

    /** A fragment of a binary message; {@code last} ends it. */
    @Override
    public void sendBinary(ByteBuffer data, boolean last) throws IOException {
        send(w -> w.binary(data, last));
    }

    @Override
    public void sendTextThenBinary(String message, ByteBuffer data) throws IOException {
        send(w -> w.textThenBinary(message, data));
    }

    /**
     * Pings the peer unless a send is under way (traffic is flowing then). Returns false when the
     * connection is broken.
     */
    @Override
    public boolean ping() {
        if (!sendLock.tryLock()) {
            return true;
        }
        try {
            if (closeSent) {
                return false;
            }
            writer.ping(ByteBuffer.allocate(0));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Starts the closing handshake: sends a close frame, then waits a moment for the peer's before
     * dropping the connection. Sends nothing more afterwards; the listener hears this code.
     */
    @Override
    public void close(int code, String reason) {
        boolean first;
        if (!lockForClose()) {
            drop(code, reason);
            return;
        }
        try {
            first = !closeSent;
            if (first) {
                closeSent = true;
                sentCode = code;
                sentReason = reason;
                FrameWriter w = writer;
                if (w != null) {
                    w.close(code, reason);
                }
            }
        } catch (IOException | RuntimeException e) {
            drop(code, reason);
            return;
        } finally {
            sendLock.unlock();
        }
        if (first) {
            timer.schedule(() -> drop(code, reason), CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A sender blocked on a peer that does not read holds the lock: after a while the connection
     * is dropped instead of waiting on it.
     */
    private boolean lockForClose() {
        try {
            return sendLock.tryLock(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public boolean isOpen() {
        return !ended.get();
    }

    private interface Send {
        void to(FrameWriter writer) throws IOException;
    }

    private void send(Send send) throws IOException {
        IOException failed = null;
        boolean open = false;
        sendLock.lock();
        try {
            open = !closeSent && writer != null;
            if (open) {
                send.to(writer);
            }
        } catch (IOException e) {
            failed = e;
        } finally {
            sendLock.unlock();
        }
        if (!open) {
            throw new IOException("WebSocket connection closed");
        }
        if (failed != null) {
            // Outside the lock: the listener's clean-up may send on other connections.
            drop(CloseCodes.ABNORMAL, "write failed: " + failed.getMessage());
            throw failed;
        }
        if (pendingPong != null) {
            sendPendingPong();
        }
    }

    /** Sends the pending pong if nobody else holds the lock; a holder sends it after its frame. */
    private void sendPendingPong() {
        while (pendingPong != null && sendLock.tryLock()) {
            try {
                ByteBuffer payload = pendingPong;
                pendingPong = null;
                if (payload != null && !closeSent) {
                    writer.pong(payload);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "pong failed: {0}", e.getMessage());
                return;
            } finally {
                sendLock.unlock();
            }
        }
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

    /** Frames as the reader finds them: control frames handled here, messages passed on. */
    private final class Frames implements FrameHandler {

        @Override
        public void onText(String message) {
            if (!closing()) {
                listener.onText(message);
            }
        }

        @Override
        public void onBinary(ByteBuffer chunk, boolean last) {
            if (!closing()) {
                listener.onBinary(chunk, last);
            }
        }

        /**
         * Answered at once when nobody is sending; otherwise the current sender answers it when
         * its frame is out, so the read thread never waits behind a blocked send.
         */
        @Override
        public void onPing(ByteBuffer payload) {
            pendingPong = payload;
            sendPendingPong();
        }

        @Override
        public void onPong(ByteBuffer payload) {
            listener.onPong();
        }

        /** The peer's close: answered (unless it answers ours), then the connection ends. */
        @Override
        public void onClose(int code, String reason) {
            readingDone = true;
            int endCode = code;
            String endReason = reason;
            if (!lockForClose()) {
                drop(endCode, endReason);
                return;
            }
            try {
                if (closeSent) {
                    endCode = sentCode;
                    endReason = sentReason;
                } else {
                    closeSent = true;
                    writer.close(code == CloseCodes.NO_STATUS ? CloseCodes.NORMAL : code, "");
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "close reply failed: {0}", e.toString());
            } finally {
                sendLock.unlock();
            }
            drop(endCode, endReason);
        }

        private boolean closing() {
            return closeSent;
        }
    }
}
