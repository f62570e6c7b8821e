package io.wsp.protocol.websocket;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The sending half of a WebSocket connection, for both ends: one sender at a time, nothing after
 * our close frame, and pongs that never make the reading thread wait. A sender can block for long
 * (the peer reads slowly); if the reading thread waited for it to answer a ping, a peer that only
 * reads once it has its pong would never read again.
 */
public final class FrameSender {

    /** A send after our close frame went out. */
    public static final class ClosedException extends IOException {

        private static final long serialVersionUID = 1L;

        ClosedException() {
            super("WebSocket connection closed");
        }
    }

    /** What to send while holding the connection's writer. */
    public interface Send {
        void to(FrameWriter writer) throws IOException;
    }

    private final FrameWriter writer;
    private final Consumer<IOException> onWriteFailure;
    private final ReentrantLock lock = new ReentrantLock();
    /** Written under the lock, read without it. */
    private volatile boolean closeSent;
    /** A ping's payload whose pong waits for the sender holding the lock, or null. */
    private volatile ByteBuffer pendingPong;
    private int sentCode;
    private String sentReason;

    /**
     * @param mask           true on a client
     * @param onWriteFailure hears a failed {@link #send} before its caller does, once per failure:
     *                       the connection is broken and should be dropped
     */
    public FrameSender(OutputStream out, boolean mask, Consumer<IOException> onWriteFailure) {
        writer = new FrameWriter(out, mask);
        this.onWriteFailure = onWriteFailure;
    }

    /** Sends under the lock; throws {@link ClosedException} once our close frame is out. */
    public void send(Send send) throws IOException {
        IOException failure = null;
        lock.lock();
        try {
            if (closeSent) {
                throw new ClosedException();
            }
            try {
                send.to(writer);
            } catch (IOException e) {
                failure = e;
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            // Outside the lock: dropping the connection runs its owner's clean-up, which may send.
            onWriteFailure.accept(failure);
            throw failure;
        }
        if (pendingPong != null) {
            sendPendingPong();
        }
    }

    /** Pings unless a send is under way (traffic flows then); false when the connection is broken. */
    public boolean ping() {
        if (!lock.tryLock()) {
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
            lock.unlock();
        }
    }

    /** Answers a ping now if nobody is sending, else right after the current sender's frame. */
    public void pong(ByteBuffer payload) {
        pendingPong = payload;
        sendPendingPong();
    }

    private void sendPendingPong() {
        while (pendingPong != null && lock.tryLock()) {
            try {
                ByteBuffer payload = pendingPong;
                pendingPong = null;
                if (payload != null && !closeSent) {
                    writer.pong(payload);
                }
            } catch (IOException e) {
                return; // the connection is failing; its reader or next sender finds out
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Sends our close frame unless one went out already; true when this call sent it. Waits up to
     * {@code waitMillis} for a sender to finish, then gives up with an exception: a sender blocked
     * on a peer that does not read would otherwise hold the close back for good.
     */
    public boolean close(int code, String reason, long waitMillis) throws IOException {
        try {
            if (!lock.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new IOException("a send is blocked; the close frame could not go out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted before the close frame went out");
        }
        try {
            if (closeSent) {
                return false;
            }
            closeSent = true;
            sentCode = code;
            sentReason = reason;
            writer.close(code, reason);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether our close frame went out (or was attempted): nothing more will be sent. */
    public boolean closeSent() {
        return closeSent;
    }

    /** The code of the close frame we sent; meaningful once {@link #closeSent()}. */
    public int sentCode() {
        lock.lock();
        try {
            return sentCode;
        } finally {
            lock.unlock();
        }
    }

    /** The reason of the close frame we sent; meaningful once {@link #closeSent()}. */
    public String sentReason() {
        lock.lock();
        try {
            return sentReason;
        } finally {
            lock.unlock();
        }
    }
}
