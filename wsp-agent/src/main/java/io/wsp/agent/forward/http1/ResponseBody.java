package io.wsp.agent.forward.http1;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body decoded from its framing: a Content-Length, chunked encoding, or the end of the
 * connection. Reports its end or its failure to the exchange. One reader thread; {@link #close}
 * may come from any thread (a cancel): a report after the first is ignored by the exchange.
 */
final class ResponseBody extends InputStream {

    /** What the exchange learns from its response body. */
    interface Listener {

        /** The body ended at its framing; {@code reusable} when the connection may carry another request. */
        void responseFinished(boolean reusable);

        /** The body broke or was closed before its end. */
        void responseFailed(IOException cause);
    }

    enum Framing { EMPTY, LENGTH, CHUNKED, UNTIL_CLOSE }

    private final Http1Input in;
    private final Framing framing;
    private final boolean keepAlive;
    private final Listener listener;

    /** Bytes left in the body (LENGTH) or in the current chunk (CHUNKED). */
    private long remaining;
    private boolean firstChunk = true;
    /** Volatile: a closing thread must see the reader's end. */
    private volatile boolean ended;
    /**
     * Closed before the end: reads fail rather than report an end the body never reached. Written
     * before {@link #ended}, so a reader that sees the one sees the other.
     */
    private volatile boolean closedEarly;

    ResponseBody(Http1Input in, Framing framing, long length, boolean keepAlive, Listener listener) {
        this.in = in;
        this.framing = framing;
        this.remaining = framing == Framing.LENGTH ? length : 0;
        this.keepAlive = keepAlive;
        this.listener = listener;
        if (framing == Framing.EMPTY || (framing == Framing.LENGTH && length == 0)) {
            end(keepAlive);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
            if (closedEarly) {
                throw new IOException("response body closed before its end");
            }
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        try {
            return switch (framing) {
                case EMPTY -> -1;
                case LENGTH -> readLength(b, off, len);
                case CHUNKED -> readChunked(b, off, len);
                case UNTIL_CLOSE -> readUntilClose(b, off, len);
            };
        } catch (IOException | RuntimeException e) {
            ended = true;
            IOException failure = e instanceof IOException io ? io : new IOException(e);
            listener.responseFailed(failure);
            throw failure;
        }
    }

    private int readLength(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("response body shorter than its Content-Length");
        }
        remaining -= n;
        if (remaining == 0) {
            end(keepAlive);
        }
        return n;
    }

    private int readChunked(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            if (!firstChunk) {
                ResponseHeadReader.readChunkEnd(in);
            }
            firstChunk = false;
            remaining = ResponseHeadReader.readChunkSize(in);
            if (remaining == 0) {
                ResponseHeadReader.skipTrailers(in);
                end(keepAlive);
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("response body ended inside a chunk");
        }
        remaining -= n;
        return n;
    }

    private int readUntilClose(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            end(false);
        }
        return n;
    }

    private void end(boolean reusable) {
        ended = true;
        listener.responseFinished(reusable);
    }

    /** Before the end, gives up the rest of the body, and so the connection. */
    @Override
    public void close() {
        if (!ended) {
            closedEarly = true;
            ended = true;
            listener.responseFailed(new IOException("response body closed before its end"));
        }
    }
}
