package io.wsp.agent.forward;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Carries one request body from the WebSocket receive thread to Jetty's request content with bounded
 * memory: {@link #write} blocks while {@code capacity} bytes are handed over and not yet sent, which
 * stops reading from the WebSocket and so pushes back on the server.
 *
 * <p>The writer must never block for good: once the body will not be sent ({@link #discard}) or
 * the exchange failed ({@link #fail}), writes return at once and drop their data, so the rest of the
 * body message is drained and the connection stays in step with the protocol.
 *
 * <p>One writer thread; Jetty's threads complete the writes; any thread may call {@link #discard}
 * and {@link #fail}.
 */
final class RequestBody {

    private final int capacity;
    /** The exact length, or -1: sent chunked. */
    private final long length;
    private final Content content;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();

    // All guarded by lock.
    /** Bytes handed to Jetty and not yet sent. */
    private int inFlight;
    private boolean closed;
    /** Writer thread only. */
    private long written;

    /** @param capacity bytes in flight before {@link #write} blocks; a larger frame still goes when none are */
    RequestBody(int capacity, long length) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.length = length;
        this.content = new Content(length);
    }

    /** What Jetty sends: no Content-Type of its own, Content-Length when the length is known. */
    Request.Content content() {
        return content;
    }

    /**
     * Hands a copy of {@code frame} over, blocking while the body is at capacity. A body that ends
     * shorter or longer than its length fails instead, before its last bytes go out, so the
     * destination never sees a complete but wrong body.
     */
    void write(ByteBuffer frame, boolean last) throws InterruptedException {
        int n = frame.remaining();
        lock.lockInterruptibly();
        try {
            while (!closed && inFlight > 0 && inFlight + n > capacity) {
                writable.await();
            }
            if (closed) {
                return;
            }
            inFlight += n;
        } finally {
            lock.unlock();
        }
        written += n;
        if (length >= 0 && (written > length || (last && written < length))) {
            fail(new IOException(written > length ? "request body longer than its Content-Length"
                    : "request body shorter than its Content-Length"));
            return;
        }
        // The frame's buffer belongs to the WebSocket and is reused once this returns.
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(frame).flip();
        content.write(last, copy, Callback.from(() -> sent(n), failure -> fail(failure)));
    }

    /** The body will never be sent: drop everything still to come. */
    void discard() {
        close();
    }

    /** The exchange broke: Jetty's request fails with {@code cause} and later writes are dropped. */
    void fail(Throwable cause) {
        close();
        content.fail(cause);
    }

    private void sent(int n) {
        lock.lock();
        try {
            inFlight -= n;
            writable.signal();
        } finally {
            lock.unlock();
        }
    }

    private void close() {
        lock.lock();
        try {
            closed = true;
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes handed over and not yet sent; for tests. */
    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Jetty adds a Content-Type from the content unless it has none, and a Content-Length from its length. */
    private static final class Content extends AsyncRequestContent {
        private final long length;

        Content(long length) {
            super((String) null);
            this.length = length;
        }

        @Override
        public long getLength() {
            return length;
        }
    }
}
