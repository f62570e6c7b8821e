package io.wsp.agent.forward.http1;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request and its response, in full duplex: the request body is written by one thread while
 * another reads the response, so the response head may arrive, and be relayed, before the body is
 * all sent.
 *
 * <p>Use: on the writer thread {@link #sendHead}, then start {@link #readResponse} on another thread
 * and call {@link #sendBody}; read the response body to its end. {@link #cancel} may be called from
 * any thread: it closes the connection, which wakes both. The exchange is complete when both
 * directions are; only then, if both ended cleanly and neither side asked to close, does the
 * connection go back to the pool.
 */
public final class Http1Exchange implements ResponseBody.Listener {

    private enum Sending { SENDING, DONE, FAILED }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Http1Client client;
    private final Route route;
    private final boolean headRequest;
    private final byte[] requestHead;
    /** Exact body length, or -1: chunked. */
    private final long contentLength;

    // All guarded by this.
    /** The connection of the current attempt; replaced at most once, before any body byte went out. */
    private Connection connection;
    /** Failed or cancelled: {@link #failure} is what every later call reports. */
    private boolean closed;
    private IOException failure;
    /** A second attempt was made: there is no third. */
    private boolean retried;
    /**
     * The reader found a pooled connection dead; the writer opens the next one, or the reader
     * itself once the writer is done (no body).
     */
    private boolean retryPending;
    /** A body byte was written: from now on the request cannot be repeated. */
    private boolean bodyStarted;
    private Sending sending = Sending.SENDING;
    private boolean responseDone;
    private boolean responseReusable;
    /** The connection was given back or closed: nobody may touch it any more. */
    private boolean settled;
    /** What {@link #settle} decided: pool the connection rather than close it. */
    private boolean keep;

    Http1Exchange(Http1Client client, Route route, String method, byte[] requestHead, long contentLength) {
        this.client = client;
        this.route = route;
        this.headRequest = method.equals("HEAD");
        this.requestHead = requestHead;
        this.contentLength = contentLength;
    }

    /**
     * Writer thread: takes a pooled connection or connects, and writes the request head. A pooled
     * connection found dead here is replaced once by a new one.
     */
    public void sendHead() throws IOException {
        Connection c;
        try {
            c = attach(client.acquire(route, contentLength == 0));
        } catch (IOException e) {
            throw failed(e);
        }
        try {
            writeAndFlush(c, requestHead);
            return;
        } catch (IOException e) {
            if (!c.reused) {
                throw failed(e);
            }
            c.close();
        }
        try {
            synchronized (this) {
                retried = true;
            }
            c = attach(client.connect(route));
            writeAndFlush(c, requestHead);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /**
     * Writer thread, after {@link #sendHead}: copies {@code body} to the connection, chunked when the
     * length is unknown. A body shorter or longer than the declared length fails the exchange.
     */
    public void sendBody(InputStream body) throws IOException {
        boolean chunked = contentLength < 0;
        // Sized to the body: most requests have none, and a 32 KiB array each was most of the
        // agent's garbage (a young collection five times a second at 8k requests/s).
        byte[] buffer = new byte[chunked ? Connection.BUFFER_SIZE : (int) Math.min(Connection.BUFFER_SIZE, contentLength)];
        long sent = 0;
        while (chunked || sent < contentLength) {
            int max = chunked ? buffer.length : (int) Math.min(buffer.length, contentLength - sent);
            int n = readBody(body, buffer, max);
            if (n < 0) {
                if (!chunked) {
                    throw failed(new IOException("request body shorter than its Content-Length"));
                }
                break;
            }
            if (n == 0) {
                continue;
            }
            sent += n;
            if (!chunked && sent == contentLength && readBody(body, new byte[1], 1) >= 0) {
                // Checked before the last bytes go out, so the destination never sees a complete body.
                throw failed(new IOException("request body longer than its Content-Length"));
            }
            Connection c = bodyConnection();
            try {
                if (chunked) {
                    c.out.write(Long.toHexString(n).getBytes(StandardCharsets.US_ASCII));
                    c.out.write(CRLF);
                    c.out.write(buffer, 0, n);
                    c.out.write(CRLF);
                } else {
                    c.out.write(buffer, 0, n);
                }
                // Each piece goes out as it comes: the destination may be streaming too.
                c.out.flush();
            } catch (IOException e) {
                throw sendFailed(e);
            }
        }
        if (chunked) {
            Connection c = bodyConnection();
            try {
                writeAndFlush(c, LAST_CHUNK);
            } catch (IOException e) {
                throw sendFailed(e);
            }
        }
        Connection release;
        while (true) {
            synchronized (this) {
                // Pending only when no body byte went out (bodyConnection() answers it otherwise):
                // the reader asked for a second attempt before this writer finished. Once at most.
                if (!retryPending) {
                    sending = Sending.DONE;
                    release = settle();
                    break;
                }
            }
            reopen();
        }
        giveBack(release);
    }

    /**
     * Reader thread, once {@link #sendHead} returned: waits for the final response head, skipping
     * interim 1xx ones. A pooled connection that ends before its first response byte is retried once
     * on a new connection, as long as no body byte was sent on it.
     */
    public Http1Response readResponse() throws IOException {
        while (true) {
            Connection c;
            synchronized (this) {
                while (retryPending && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw failed(new InterruptedIOException("interrupted while waiting for the response"));
                    }
                }
                if (closed) {
                    throw failure;
                }
                c = connection;
            }
            IOException dead = null;
            try {
                if (c.in.awaitData()) {
                    return readHead(c);
                }
            } catch (IOException e) {
                dead = e;
            }
            boolean retry;
            boolean writerDone;
            synchronized (this) {
                if (closed) {
                    throw failure;
                }
                retry = c.reused && !retried && !bodyStarted;
                writerDone = sending == Sending.DONE;
                retryPending = retry && !writerDone;
            }
            if (!retry) {
                throw failed(dead != null ? dead : new EOFException("connection closed before the response"));
            }
            c.close();
            if (writerDone) {
                // No body: the writer has finished and opens nothing more, so the reader sends it again.
                reopen();
            }
        }
    }

    /** Aborts both directions now and closes the connection. Any thread; idempotent. */
    public void cancel() {
        failed(new IOException("exchange cancelled"));
    }

    @Override
    public void responseFinished(boolean reusable) {
        Connection release;
        synchronized (this) {
            responseDone = true;
            responseReusable = reusable;
            release = settle();
        }
        giveBack(release);
    }

    @Override
    public void responseFailed(IOException cause) {
        failed(cause);
    }

    private Http1Response readHead(Connection c) throws IOException {
        try {
            ResponseHeadReader.Head head;
            do {
                head = ResponseHeadReader.read(c.in);
                if (head.status() == 101) {
                    throw new Http1Exception("unexpected 101 Switching Protocols");
                }
            } while (head.status() < 200);
            return response(c, head);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private Http1Response response(Connection c, ResponseHeadReader.Head head) throws IOException {
        boolean keepAlive = head.version1x() == 1 && !head.saysClose();
        int status = head.status();
        Map<String, List<String>> headers = head.headers();
        List<String> transferEncoding = head.all("Transfer-Encoding");
        ResponseBody.Framing framing;
        long length = -1;
        if (headRequest || status == 204 || status == 304) {
            framing = ResponseBody.Framing.EMPTY;
        } else if (!transferEncoding.isEmpty()) {
            String codings = String.join(",", transferEncoding);
            String last = codings.substring(codings.lastIndexOf(',') + 1).strip();
            // A final coding other than chunked can only end with the connection (RFC 9112 6.3).
            framing = last.equalsIgnoreCase("chunked") ? ResponseBody.Framing.CHUNKED
                    : ResponseBody.Framing.UNTIL_CLOSE;
            // Transfer-Encoding overrides Content-Length, which must not travel on as if it were true.
            headers = without(headers, "Content-Length");
        } else if (!head.all("Content-Length").isEmpty()) {
            length = contentLength(head.all("Content-Length"));
            framing = ResponseBody.Framing.LENGTH;
        } else {
            framing = ResponseBody.Framing.UNTIL_CLOSE;
        }
        return new Http1Response(status, headers, new ResponseBody(c.in, framing, length, keepAlive, this));
    }

    private Connection attach(Connection c) throws IOException {
        synchronized (this) {
            if (!closed) {
                connection = c;
                return c;
            }
        }
        c.close();
        throw failure();
    }

    /** The connection body bytes go to; opens the second attempt's if the reader asked for it. */
    private Connection bodyConnection() throws IOException {
        synchronized (this) {
            if (closed) {
                throw failure;
            }
            if (!retryPending) {
                bodyStarted = true;
                return connection;
            }
        }
        Connection fresh = reopen();
        synchronized (this) {
            bodyStarted = true;
        }
        return fresh;
    }

    /** The second attempt: a new connection with the request head on it, which the reader then waits on. */
    private Connection reopen() throws IOException {
        Connection fresh = null;
        try {
            fresh = client.connect(route);
            writeAndFlush(fresh, requestHead);
        } catch (IOException e) {
            if (fresh != null) {
                fresh.close();
            }
            throw failed(e);
        }
        synchronized (this) {
            if (!closed) {
                connection = fresh;
                retried = true;
                retryPending = false;
                notifyAll();
                return fresh;
            }
        }
        fresh.close();
        throw failure();
    }

    private int readBody(InputStream body, byte[] buffer, int max) throws IOException {
        try {
            return body.read(buffer, 0, max);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /**
     * Writing failed: the destination may still have answered (an early error response), so the
     * connection stays open for the reader; it is closed once the response is done.
     */
    private IOException sendFailed(IOException e) {
        Connection settledNow;
        synchronized (this) {
            if (closed) {
                return failure;
            }
            sending = Sending.FAILED;
            settledNow = settle();
        }
        giveBack(settledNow);
        return e;
    }

    /**
     * Decides the connection's fate once both directions are done: back to the pool only when both
     * ended cleanly and the response allows it. Call holding this; pass the result to {@link #giveBack}
     * outside the lock.
     */
    private Connection settle() {
        if (settled || !responseDone || sending == Sending.SENDING) {
            return null;
        }
        settled = true;
        keep = sending == Sending.DONE && responseReusable && !closed;
        return connection;
    }

    /** Pools or closes the connection {@link #settle} decided about. */
    private void giveBack(Connection c) {
        if (c == null) {
            return;
        }
        boolean reuse;
        synchronized (this) {
            reuse = keep;
        }
        if (reuse) {
            client.release(c);
        } else {
            c.close();
        }
    }

    /** Fails the exchange (first cause wins) and closes its connection unless it was already settled. */
    private IOException failed(IOException cause) {
        Connection close;
        IOException first;
        synchronized (this) {
            if (!closed) {
                closed = true;
                failure = cause;
            }
            first = failure;
            close = settled ? null : connection;
            settled = true;
            notifyAll();
        }
        if (close != null) {
            close.close();
        }
        return first;
    }

    private synchronized IOException failure() {
        return failure;
    }

    private static void writeAndFlush(Connection c, byte[] bytes) throws IOException {
        c.out.write(bytes);
        c.out.flush();
    }

    private static long contentLength(List<String> values) throws Http1Exception {
        long length = -1;
        for (String value : values) {
            for (String part : value.split(",", -1)) {
                String digits = part.strip();
                if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    throw new Http1Exception("invalid Content-Length");
                }
                long n = Long.parseLong(digits);
                if (length >= 0 && n != length) {
                    throw new Http1Exception("conflicting Content-Length values");
                }
                length = n;
            }
        }
        return length;
    }

    private static Map<String, List<String>> without(Map<String, List<String>> headers, String name) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((k, v) -> {
            if (!k.equalsIgnoreCase(name)) {
                copy.put(k, v);
            }
        });
        return copy;
    }
}
