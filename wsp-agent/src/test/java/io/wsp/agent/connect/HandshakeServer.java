package io.wsp.agent.connect;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A WebSocket server played by hand on an ephemeral loopback port, plainly or over TLS: it answers
 * each upgrade request as told (accepts it, refuses it with a status, or never answers), hands
 * each accepted connection to the test as a {@link Peer}, which speaks (or keeps silent) frame by
 * frame, and reports each connection that failed before its upgrade (a TLS handshake refused by
 * either side).
 */
final class HandshakeServer implements AutoCloseable {

    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** Status meaning "accept the upgrade"; any other is answered as a refusal. */
    private static final int UPGRADE = 101;
    /** Status meaning "read the request, then say nothing". */
    private static final int NEVER_ANSWER = -1;

    private final ServerSocket server;
    private final int answer;
    private final BlockingQueue<Peer> upgraded = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    private final BlockingQueue<Exception> failures = new LinkedBlockingQueue<>();
    private final BlockingQueue<Socket> held = new LinkedBlockingQueue<>();

    private HandshakeServer(ServerSocket server, int answer) {
        this.server = server;
        this.answer = answer;
        Thread acceptor = new Thread(this::acceptAll, "handshake-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Accepts every upgrade. */
    static HandshakeServer plain() throws IOException {
        return new HandshakeServer(loopback(), UPGRADE);
    }

    /** Accepts every upgrade, listening on {@code address} (IPv6, say) rather than the IPv4 loopback. */
    static HandshakeServer plainOn(InetAddress address) throws IOException {
        return new HandshakeServer(new ServerSocket(0, 8, address), UPGRADE);
    }

    /** Answers every upgrade request with {@code status} and a short body, then closes. */
    static HandshakeServer refusing(int status) throws IOException {
        return new HandshakeServer(loopback(), status);
    }

    /** Reads every upgrade request and never answers it, keeping the connection open. */
    static HandshakeServer neverAnswering() throws IOException {
        return new HandshakeServer(loopback(), NEVER_ANSWER);
    }

    /** Over TLS with the given context; {@code needClientAuth} refuses clients without a trusted certificate. */
    static HandshakeServer tls(SSLContext context, boolean needClientAuth) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
        socket.setNeedClientAuth(needClientAuth);
        return new HandshakeServer(socket, UPGRADE);
    }

    private static ServerSocket loopback() throws IOException {
        return new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next upgraded connection; fails the test when none comes within 10 s. */
    Peer awaitUpgraded() throws InterruptedException {
        Peer peer = upgraded.poll(10, TimeUnit.SECONDS);
        if (peer == null) {
            throw new AssertionError("no WebSocket upgrade; failures: " + failures);
        }
        return peer;
    }

    /** The head of the next upgrade request, whatever its answer; fails the test when none comes within 10 s. */
    String awaitRequest() throws InterruptedException {
        String request = requests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no upgrade request; failures: " + failures);
        }
        return request;
    }

    /** The next connection that failed before its upgrade; fails the test when none comes within 10 s. */
    Exception awaitFailure() throws InterruptedException {
        Exception failure = failures.poll(10, TimeUnit.SECONDS);
        if (failure == null) {
            throw new AssertionError("no failed connection; upgraded: " + upgraded.size());
        }
        return failure;
    }

    boolean anyUpgraded() {
        return !upgraded.isEmpty();
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            try {
                // A client that stalls mid-upgrade must not block the next one for long.
                socket.setSoTimeout(10_000);
                String request = readHead(socket.getInputStream());
                requests.add(request);
                if (answer == UPGRADE) {
                    upgrade(socket, request);
                    socket.setSoTimeout(0);
                    upgraded.add(new Peer(socket, request));
                } else if (answer == NEVER_ANSWER) {
                    held.add(socket);
                } else {
                    refuse(socket, answer);
                }
            } catch (IOException e) {
                failures.add(e);
                closeQuietly(socket);
            }
        }
    }

    private static void upgrade(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(header(request, "sec-websocket-key")) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void refuse(Socket socket, int status) throws IOException {
        String body = "refused by the test";
        socket.getOutputStream().write(("HTTP/1.1 " + status + " Refused\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        socket.close();
    }

    /** The value of header {@code name} (any case) in a request head, or null. */
    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed during the upgrade request");
            }
            head.append((char) c);
        }
        return head.toString();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already broken; nothing to release.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Peer peer : upgraded) {
            peer.socket().close();
        }
        for (Socket socket : held) {
            socket.close();
        }
    }

    /** One frame as it came or goes on the wire, payload unmasked. */
    record Frame(int opcode, boolean fin, byte[] payload) {

        static final int TEXT = 0x1;
        static final int BINARY = 0x2;
        static final int CLOSE = 0x8;
        static final int PING = 0x9;

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The code of a close frame. */
        int closeCode() {
            return ByteBuffer.wrap(payload).getShort() & 0xffff;
        }

        /** The reason of a close frame. */
        String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    /** The server's end of one upgraded connection, with the request that opened it. */
    record Peer(Socket socket, String request) {

        /** Reads the next frame the client sent (masked, as clients must); fails after 10 s of silence. */
        Frame read() throws IOException {
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if ((b1 & 0x80) == 0) {
                throw new IOException("an unmasked client frame");
            }
            byte[] mask = in.readNBytes(4);
            byte[] payload = in.readNBytes(Math.toIntExact(length));
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
        }

        /** Reads frames until one that is not a ping, which it returns. */
        Frame readSkippingPings() throws IOException {
            Frame frame = read();
            while (frame.opcode() == Frame.PING) {
                frame = read();
            }
            return frame;
        }

        /** Sends one unmasked frame, as servers must. */
        void send(int opcode, boolean fin, byte[] payload) throws IOException {
            ByteBuffer head = ByteBuffer.allocate(10);
            head.put((byte) ((fin ? 0x80 : 0) | opcode));
            if (payload.length <= 125) {
                head.put((byte) payload.length);
            } else if (payload.length <= 0xffff) {
                head.put((byte) 126).putShort((short) payload.length);
            } else {
                head.put((byte) 127).putLong(payload.length);
            }
            OutputStream out = socket.getOutputStream();
            out.write(head.array(), 0, head.position());
            out.write(payload);
            out.flush();
        }

        void sendText(String text) throws IOException {
            send(Frame.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
        }

        void sendClose(int code, String reason) throws IOException {
            byte[] text = reason.getBytes(StandardCharsets.UTF_8);
            send(Frame.CLOSE, true, ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).array());
        }

        /** The value of header {@code name} in the upgrade request, or null. */
        String requestHeader(String name) {
            return header(request, name);
        }
    }
}
