package io.wsp.agent.forward;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Carries one request body from the WebSocket receive thread (the writer) to the HTTP client (the
 * reader) with bounded memory: {@link #write} blocks while {@code capacity} bytes are buffered, which
 * stops reading from the WebSocket and so pushes back on the server.
 *
 * <p>The writer must never block forever: once the reader is gone ({@link #discard()}) or the
 * exchange failed ({@link #fail}), writes return at once and drop their data, so the rest of the
 * body message is drained and the connection stays in step with the protocol.
 *
 * <p>One writer thread and one reader thread; any thread may call {@link #discard()} and {@link #fail}.
 */
public final class BodyPipe {

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();

    // All guarded by lock.
    private final ArrayDeque<ByteBuffer> frames = new ArrayDeque<>();
    private int buffered;
    private boolean finished;
    private boolean discarding;
    private IOException failure;

    private final InputStream input = new PipeInputStream();

    /** @param capacity bytes buffered before {@link #write} blocks; a larger frame still fits when empty */
    public BodyPipe(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /**
     * Appends a copy of {@code frame}, blocking while the pipe is full. Returns without copying when
     * the pipe is discarding or failed.
     */
    public void write(ByteBuffer frame) throws InterruptedException {
        if (!frame.hasRemaining()) {
            return;
        }
        lock.lockInterruptibly();
        try {
            while (!discarding && failure == null && buffered > 0 && buffered + frame.remaining() > capacity) {
                writable.await();
            }
            if (discarding || failure != null) {
                return;
            }
            // The frame's buffer belongs to the WebSocket container and is reused after we return.
            ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
            copy.put(frame).flip();
            frames.add(copy);
            buffered += copy.remaining();
            readable.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The body is complete: the reader sees end of stream after the buffered bytes. */
    public void finish() {
        lock.lock();
        try {
            finished = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reader is no longer interested: drop what is buffered and everything still to come. */
    public void discard() {
        lock.lock();
        try {
            discarding = true;
            frames.clear();
            buffered = 0;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The exchange broke: the reader gets {@code cause} and later writes are dropped. */
    public void fail(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            frames.clear();
            buffered = 0;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reading end; closing it discards the rest of the body. */
    public InputStream inputStream() {
        return input;
    }

    /** Bytes buffered now; for tests and diagnostics. */
    int buffered() {
        lock.lock();
        try {
            return buffered;
        } finally {
            lock.unlock();
        }
    }

    private final class PipeInputStream extends InputStream {

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            lock.lock();
            try {
                while (frames.isEmpty()) {
                    if (failure != null) {
                        throw new IOException(failure.getMessage(), failure);
                    }
                    if (discarding) {
                        throw new IOException("request body pipe closed");
                    }
                    if (finished) {
                        return -1;
                    }
                    awaitReadable();
                }
                ByteBuffer head = frames.peek();
                int n = Math.min(len, head.remaining());
                head.get(b, off, n);
                if (!head.hasRemaining()) {
                    frames.poll();
                }
                buffered -= n;
                writable.signal();
                return n;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return buffered;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            discard();
        }

        private void awaitReadable() throws InterruptedIOException {
            try {
                readable.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the request body");
            }
        }
    }
}
