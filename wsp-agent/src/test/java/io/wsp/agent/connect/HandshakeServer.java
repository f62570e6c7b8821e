package io.wsp.agent.connect;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * A WebSocket server that only accepts the upgrade, on an ephemeral loopback port, plainly or over
 * TLS: each upgraded socket is handed to the test, which speaks (or keeps silent) on it; each
 * connection that failed before the upgrade (a TLS handshake refused by either side) is reported.
 */
final class HandshakeServer implements AutoCloseable {

    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final BlockingQueue<Socket> upgraded = new LinkedBlockingQueue<>();
    private final BlockingQueue<Exception> failures = new LinkedBlockingQueue<>();

    private HandshakeServer(ServerSocket server) {
        this.server = server;
        Thread acceptor = new Thread(this::acceptAll, "handshake-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static HandshakeServer plain() throws IOException {
        return new HandshakeServer(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()));
    }

    /** Over TLS with the given context; {@code needClientAuth} refuses clients without a trusted certificate. */
    static HandshakeServer tls(SSLContext context, boolean needClientAuth) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
        socket.setNeedClientAuth(needClientAuth);
        return new HandshakeServer(socket);
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next upgraded connection; fails the test when none comes within 10 s. */
    Socket awaitUpgraded() throws InterruptedException {
        Socket socket = upgraded.poll(10, TimeUnit.SECONDS);
        if (socket == null) {
            throw new AssertionError("no WebSocket upgrade; failures: " + failures);
        }
        return socket;
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

    /** Reads one unfragmented text frame sent by a client (masked) and returns its text. */
    static String readTextFrame(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b0 & 0x0f) != 0x1 || (b1 & 0x7f) > 125) {
            throw new IOException("not a short text frame: " + Integer.toHexString(b0) + " " + Integer.toHexString(b1));
        }
        byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
        byte[] payload = in.readNBytes(b1 & 0x7f);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i % 4];
        }
        return new String(payload, StandardCharsets.UTF_8);
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
                upgrade(socket);
                socket.setSoTimeout(0);
                upgraded.add(socket);
            } catch (IOException e) {
                failures.add(e);
                closeQuietly(socket);
            }
        }
    }

    private static void upgrade(Socket socket) throws IOException {
        String key = null;
        InputStream in = socket.getInputStream();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed during the upgrade request");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
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
        for (Socket socket : upgraded) {
            socket.close();
        }
    }
}
