package io.wsp.agent.websocket;

import io.wsp.protocol.websocket.CloseCodes;
import io.wsp.protocol.websocket.FrameReader;
import io.wsp.protocol.websocket.FrameSender;
import io.wsp.protocol.websocket.MessageListener;
import io.wsp.protocol.websocket.PeerFrames;
import io.wsp.protocol.websocket.WebSocketHandshake;
import io.wsp.protocol.websocket.WebSocketProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The agent's end of one WebSocket connection: a blocking socket, one reader thread, and senders
 * that take turns. It answers pings and completes the closing handshake itself; its
 * {@link Listener} hears messages, pongs and the end.
 *
 * <p>Why not Tyrus (the Jakarta WebSocket client): it masked every byte on its own, most of the
 * agent's CPU in a bulk transfer, and scheduled an idle-timer task per message.
 */
public final class ClientWebSocket {

    /** What the owner hears, on the reader thread, one at a time. */
    public interface Listener extends MessageListener {

        /** Once, when the connection is over: the server's close, ours, or the connection lost (1006). */
        void onClose(int code, String reason);
    }

    private static final System.Logger LOG = System.getLogger(ClientWebSocket.class.getName());
    private static final int MAX_RESPONSE_HEAD = 16 * 1024;
    /** Enough of a refusal's body to say why on a log line; the rest is not read. */
    private static final int MAX_REFUSAL_BODY = 200;
    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    /** How long the server gets to answer our close frame before the socket is closed. */
    private static final long CLOSE_WAIT_MILLIS = 2_000;
    /** Reads every connection, one thread per connection at a time; idle threads go after a minute. */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "wsp-ws-reader");
        t.setDaemon(true);
        return t;
    });
    /**
     * How long work handed off by a reading thread ({@link #handOff}) may keep the connection
     * unread: pings and closes wait at most about this long.
     */
    private static final long HAND_OVER_AFTER_MILLIS = 40;
    /** Handed-off work running now, on any connection. */
    private static final LongWorkWatcher LONG_WORK =
            new LongWorkWatcher("wsp-ws-long-work", HAND_OVER_AFTER_MILLIS / 2, 1_000);

    private final Socket socket;
    private final String name;
    private final FrameSender sender;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final AtomicBoolean ended = new AtomicBoolean();
    private Listener listener;
    /** The thread reading now, null while reading passes to another. */
    private volatile Thread readingThread;
    /** Set and taken by the reading thread only. */
    private Runnable handedOff;
    /** The work the reading thread runs now, taken by whoever reads on: that thread, or another. */
    private final AtomicReference<InlineWork> inlineWork = new AtomicReference<>();

    private ClientWebSocket(Socket socket, String name, ByteBuffer leftover) throws IOException {
        this.socket = socket;
        this.name = name;
        this.sender = new FrameSender(socket.getOutputStream(), true,
                e -> drop(CloseCodes.ABNORMAL, "write failed: " + e.getMessage()));
        readBuffer.put(leftover).flip();
    }

    /**
     * Connects and performs the opening handshake with {@code headers} added; each of connecting
     * and the handshake (TLS included) may take {@code timeoutMillis}. Reading starts with
     * {@link #start}, so nothing is heard before the owner is ready.
     *
     * @param ssl for {@code wss://}; null for the JVM's default
     * @throws HandshakeException when the server answers with another status than 101
     */
    public static ClientWebSocket connect(URI uri, Map<String, String> headers, SSLContext ssl, int timeoutMillis)
            throws IOException {
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        if (!secure && !"ws".equalsIgnoreCase(uri.getScheme())) {
            throw new IOException("not a ws:// or wss:// URL: " + uri);
        }
        // The URI keeps an IPv6 literal in brackets: right for the Host header, not for the socket.
        String host = uri.getHost();
        if (host == null) {
            throw new IOException("no host in " + uri);
        }
        String address = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        // A SocketChannel's socket goes back to blocking mode after the timed connect and reads of
        // the handshake; a plain Socket stays non-blocking for good, and every later read of the
        // connection then costs three system calls (read, poll, read) instead of one.
        Socket socket = SocketChannel.open().socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(address, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            if (secure) {
                socket = tls(socket, address, port, ssl);
            }
            String key = WebSocketHandshake.newKey();
            OutputStream out = socket.getOutputStream();
            out.write(request(uri, host, port, secure, key, headers).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteBuffer leftover = ByteBuffer.allocate(MAX_RESPONSE_HEAD);
            InputStream in = socket.getInputStream();
            String head = readHead(in, leftover);
            check(head, key, leftover, in);
            socket.setSoTimeout(0);
            return new ClientWebSocket(socket, uri.toString(), leftover.flip());
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private static Socket tls(Socket plain, String host, int port, SSLContext ssl) throws IOException {
        try {
            SSLContext context = ssl != null ? ssl : SSLContext.getDefault();
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters parameters = tls.getSSLParameters();
            // The certificate must name the host we dialled, as a browser checks it.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            serverName(host).ifPresent(name -> parameters.setServerNames(List.of(name)));
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            return tls;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException("no TLS available", e);
        }
    }

    /**
     * The host name for SNI, so a server with several certificates picks this host's. The JDK
     * sends one by itself only for names with a dot; {@code localhost} or a single-label name of
     * an internal network would go without. IP literals never carry one (RFC 6066, 3).
     */
    private static Optional<SNIServerName> serverName(String host) {
        if (host.contains(":") || IPV4_LITERAL.matcher(host).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SNIHostName(host));
        } catch (IllegalArgumentException notAHostName) {
            return Optional.empty();
        }
    }

    private static String request(URI uri, String host, int port, boolean secure, String key,
                                  Map<String, String> headers) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String hostHeader = host;
        if (port != (secure ? 443 : 80)) {
            hostHeader += ":" + port;
        }
        StringBuilder request = new StringBuilder(256)
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: ").append(WebSocketHandshake.VERSION).append("\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        return request.append("\r\n").toString();
    }

    /** Reads up to the end of the response head; bytes after it (frames already sent) stay in {@code into}. */
    private static String readHead(InputStream in, ByteBuffer into) throws IOException {
        byte[] buffer = into.array();
        int filled = 0;
        while (true) {
            int end = headEnd(buffer, filled);
            if (end >= 0) {
                into.position(filled);
                String head = new String(buffer, 0, end, StandardCharsets.ISO_8859_1);
                into.flip().position(end + 4);
                into.compact();
                return head;
            }
            if (filled == buffer.length) {
                throw new IOException("handshake response head over " + MAX_RESPONSE_HEAD + " bytes");
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("connection closed during the handshake");
            }
            filled += n;
        }
    }

    private static int headEnd(byte[] buffer, int filled) {
        for (int i = 0; i + 3 < filled; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void check(String head, String key, ByteBuffer leftover, InputStream in) throws IOException {
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status;
        try {
            status = statusLine.length >= 2 ? Integer.parseInt(statusLine[1]) : -1;
        } catch (NumberFormatException e) {
            status = -1;
        }
        if (status != 101) {
            String body = refusalBody(header(lines, "content-length"), leftover, in);
            throw new HandshakeException(status, "Response code was not 101: " + status
                    + (body.isEmpty() ? "" : " (" + body + ")"));
        }
        if (!WebSocketHandshake.acceptFor(key).equals(header(lines, "sec-websocket-accept"))) {
            throw new IOException("the server's Sec-WebSocket-Accept does not answer our key");
        }
    }

    /** The value of the last header field called {@code name} (lower case), or null. */
    private static String header(String[] lines, String name) {
        String value = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                value = lines[i].substring(colon + 1).trim();
            }
        }
        return value;
    }

    /**
     * The start of a refusal's body on one line, for the log: a proxy's or server's page often
     * says why. Only what the Content-Length promises is awaited (under the handshake timeout),
     * and never more than {@link #MAX_REFUSAL_BODY} bytes; a body that stops short is cut there.
     */
    private static String refusalBody(String contentLength, ByteBuffer leftover, InputStream in) {
        int wanted = Math.min(leftover.position(), MAX_REFUSAL_BODY);
        if (contentLength != null) {
            try {
                wanted = (int) Math.max(0, Math.min(Long.parseLong(contentLength), MAX_REFUSAL_BODY));
            } catch (NumberFormatException e) {
                // Not a length we can trust: keep to what is already read.
            }
        }
        try {
            while (leftover.position() < wanted) {
                int n = in.read(leftover.array(), leftover.position(), wanted - leftover.position());
                if (n < 0) {
                    break;
                }
                leftover.position(leftover.position() + n);
            }
        } catch (IOException e) {
            // The status is what matters; the body was only for the log line.
        }
        String body = new String(leftover.array(), 0, Math.min(leftover.position(), wanted), StandardCharsets.UTF_8);
        return body.replaceAll("\\p{Cntrl}+", " ").strip();
    }

    /** Starts reading; messages go to {@code listener} from then on. */
    public void start(Listener listener, int maxTextBytes) {
        this.listener = listener;
        FrameReader reader = new FrameReader(false, maxTextBytes,
                new PeerFrames(sender, CLOSE_WAIT_MILLIS, listener, this::drop));
        READERS.execute(() -> read(reader));
    }

    /**
     * From a listener's callback, on the reading thread: once the messages of the current read are
     * handled, this thread runs {@code work}, then reads on. Work that follows a message at once
     * (performing a request) thus starts without another thread waking up, and short work costs no
     * thread switch at all. Work still running after {@value #HAND_OVER_AFTER_MILLIS} ms has reading
     * passed to another thread, so pings and closes are heard while it runs. False, and nothing is
     * done, on any other thread or when work was already handed over in this read.
     */
    public boolean handOff(Runnable work) {
        if (Thread.currentThread() != readingThread || handedOff != null) {
            return false;
        }
        handedOff = work;
        return true;
    }

    private void read(FrameReader reader) {
        readingThread = Thread.currentThread();
        try {
            InputStream in = socket.getInputStream();
            while (!ended.get()) {
                if (readBuffer.hasRemaining()) {
                    reader.feed(readBuffer);
                    Runnable work = handedOff;
                    if (work != null) {
                        handedOff = null;
                        if (!runInline(work, reader)) {
                            // It ran long: another thread has been reading meanwhile.
                            return;
                        }
                    }
                }
                int n = in.read(readBuffer.array());
                if (n < 0) {
                    drop(CloseCodes.ABNORMAL, "connection closed by the server without a close frame");
                    return;
                }
                readBuffer.clear().limit(n);
            }
        } catch (WebSocketProtocolException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0} broke the protocol: {1}", name, e.getMessage());
            close(e.closeCode(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            drop(CloseCodes.ABNORMAL, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Runs handed-off work on the reading thread; true when this thread is still the one to read on. */
    private boolean runInline(Runnable work, FrameReader reader) {
        InlineWork token = new InlineWork(this, reader, System.nanoTime());
        readingThread = null;
        inlineWork.set(token);
        // The token, not the connection: a later work of this connection must not lose its watch.
        LONG_WORK.watch(token);
        try {
            work.run();
        } catch (RuntimeException e) {
            // Not a failure of the connection, which another thread may read by now.
            LOG.log(System.Logger.Level.WARNING, "work handed over by {0} failed: {1}", name, e.toString());
        } finally {
            LONG_WORK.unwatch(token);
        }
        if (inlineWork.compareAndSet(token, null)) {
            readingThread = Thread.currentThread();
            return true;
        }
        return false;
    }

    /** One run of handed-off work; compared by identity. */
    private static final class InlineWork implements LongWorkWatcher.Watched {

        final ClientWebSocket owner;
        final FrameReader reader;
        final long sinceNanos;

        InlineWork(ClientWebSocket owner, FrameReader reader, long sinceNanos) {
            this.owner = owner;
            this.reader = reader;
            this.sinceNanos = sinceNanos;
        }

        /** Passes reading to another thread when the work has run too long. */
        @Override
        public void check(long nowNanos) {
            if (nowNanos - sinceNanos > HAND_OVER_AFTER_MILLIS * 1_000_000L && owner.inlineWork.compareAndSet(this, null)) {
                LONG_WORK.unwatch(this);
                READERS.execute(() -> owner.read(reader));
            }
        }
    }

    public void sendText(String message) throws IOException {
        sender.send(w -> w.text(message));
    }

    /** A fragment of a binary message, {@code data} consumed; {@code last} ends the message. */
    public void sendBinary(ByteBuffer data, boolean last) throws IOException {
        sender.send(w -> w.binary(data, last));
    }

    /** A text message and a whole binary message, in one write. */
    public void sendTextThenBinary(String message, ByteBuffer data) throws IOException {
        sender.send(w -> w.textThenBinary(message, data));
    }

    /** Pings unless a send is under way; false when the connection is broken. */
    public boolean ping() {
        return sender.ping();
    }

    /**
     * Starts the closing handshake: our close frame, then the server's answer is awaited on the
     * reader thread for a moment before the socket is closed anyway.
     */
    public void close(int code, String reason) {
        try {
            if (sender.close(code, reason, CLOSE_WAIT_MILLIS)) {
                CompletableFuture.delayedExecutor(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS, READERS)
                        .execute(() -> drop(code, reason));
            }
        } catch (IOException | RuntimeException e) {
            drop(code, reason);
        }
    }

    public boolean isOpen() {
        return !ended.get();
    }

    /** Ends the connection without more ado; the listener hears {@code code} unless it heard the end already. */
    private void drop(int code, String reason) {
        // Ended before the socket closes: the reader's read then fails, and its own drop (1006,
        // "Socket closed") must not win over the code this one reports.
        boolean first = ended.compareAndSet(false, true);
        closeQuietly(socket);
        if (first && listener != null) {
            listener.onClose(code, reason);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a socket failed: {0}", e.toString());
        }
    }
}
