package io.wsp.agent.forward;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted HTTP/1.1 server on a raw socket: each accepted connection runs {@link Script} on its
 * own thread, so tests can send exact bytes (odd chunk sizes, interim responses, broken heads).
 */
final class RawServer implements AutoCloseable {

    interface Script {
        void serve(Connection connection) throws IOException;
    }

    /** One accepted connection, with helpers to read requests from it. */
    static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final int number;

        Connection(Socket socket, int number) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.number = number;
        }

        /** The request head as text (lines with CRLF, without the empty line), or null at EOF. */
        String readHead() throws IOException {
            StringBuilder head = new StringBuilder();
            String line;
            while ((line = readLine()) != null && !line.isEmpty()) {
                head.append(line).append("\r\n");
            }
            return line == null ? null : head.toString();
        }

        /** The request body as framed by {@code head}; de-chunked, with the raw bytes kept in {@code raw}. */
        byte[] readBody(String head, ByteArrayOutputStream raw) throws IOException {
            String lower = head.toLowerCase(Locale.ROOT);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (lower.contains("transfer-encoding: chunked")) {
                while (true) {
                    String sizeLine = readLine();
                    raw.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
                    if (size == 0) {
                        String end = readLine();
                        raw.write((end + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        return body.toByteArray();
                    }
                    byte[] data = in.readNBytes(size);
                    body.write(data);
                    raw.write(data);
                    String crlf = readLine();
                    raw.write((crlf + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    byte[] data = in.readNBytes(Integer.parseInt(line.substring(15).strip()));
                    raw.write(data);
                    return data;
                }
            }
            return new byte[0];
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            if (b < 0 && line.size() == 0) {
                return null;
            }
            String s = line.toString(StandardCharsets.ISO_8859_1);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new ArrayList<>();
    /** Failures of scripts, so a test can assert none happened. */
    final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

    RawServer(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        Thread acceptor = new Thread(this::acceptLoop, "raw-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + pathAndQuery);
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException closed) {
                return;
            }
            synchronized (sockets) {
                sockets.add(s);
            }
            int number = accepted.incrementAndGet();
            Thread t = new Thread(() -> {
                try (s) {
                    script.serve(new Connection(s, number));
                } catch (IOException | RuntimeException | Error e) {
                    failures.add(e);
                }
            }, "raw-server-" + number);
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
