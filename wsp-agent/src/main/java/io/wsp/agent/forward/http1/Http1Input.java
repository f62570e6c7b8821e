package io.wsp.agent.forward.http1;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Buffered reading of one connection's input: lines for heads and chunk sizes, bytes for bodies.
 * Not thread safe: only the thread reading the current response uses it.
 */
final class Http1Input {

    private final InputStream in;
    private final byte[] buffer;
    private int pos;
    private int limit;

    Http1Input(InputStream in, int bufferSize) {
        this.in = in;
        this.buffer = new byte[bufferSize];
    }

    /** Reads up to {@code len} bytes; -1 at end of stream. */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == limit) {
            if (len >= buffer.length) {
                return in.read(b, off, len);
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buffer, pos, b, off, n);
        pos += n;
        return n;
    }

    /** One byte, or -1 at end of stream. */
    int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buffer[pos++] & 0xff;
    }

    /**
     * One line without its CRLF (a bare LF is accepted), decoded as ISO-8859-1. Fails when the line
     * is longer than {@code max} bytes or the stream ends inside it.
     */
    String readLine(int max) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (pos == limit && !fill()) {
                throw new EOFException("connection closed inside a response line");
            }
            int start = pos;
            while (pos < limit && buffer[pos] != '\n') {
                pos++;
            }
            line.append(new String(buffer, start, pos - start, StandardCharsets.ISO_8859_1));
            if (line.length() > max) {
                throw new Http1Exception("response line too long");
            }
            if (pos < limit) {
                pos++; // the LF
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
        }
    }

    /** Waits for at least one byte without consuming it; false at end of stream. */
    boolean awaitData() throws IOException {
        return pos < limit || fill();
    }

    /** Bytes already received but not read: on an idle connection, a sign it is unusable. */
    boolean hasBuffered() {
        return pos < limit;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }
}
