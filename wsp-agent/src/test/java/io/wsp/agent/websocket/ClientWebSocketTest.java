package io.wsp.agent.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wsp.agent.TestStores;
import io.wsp.protocol.websocket.CloseCodes;
import io.wsp.protocol.websocket.FrameHandler;
import io.wsp.protocol.websocket.FrameReader;
import io.wsp.protocol.websocket.FrameWriter;
import io.wsp.protocol.websocket.WebSocketHandshake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a server played by hand on a raw socket, byte for byte. */
class ClientWebSocketTest {

    private final ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    private final Events events = new Events();

    ClientWebSocketTest() throws IOException {
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void anAnswerOtherThan101FailsWithItsStatus() {
        answerWith(key -> "HTTP/1.1 401 Unauthorized\r\nContent-Length: 13\r\n\r\nunauthorized\n");
        HandshakeException e = assertThrows(HandshakeException.class, this::connect);
        assertEquals(401, e.status());
    }

    @Test
    void aRefusalNamesTheStartOfItsBodyOnOneLine() {
        String body = "{\"title\": \"Agent key refused\",\n" + "x".repeat(5_000) + "}";
        answerWith(key -> "HTTP/1.1 403 Forbidden\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        HandshakeException e = assertThrows(HandshakeException.class, this::connect);
        assertEquals(403, e.status());
        assertTrue(e.getMessage().startsWith("Response code was not 101: 403 ({\"title\": \"Agent key refused\", xxx"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 300, "bounded: " + e.getMessage().length());
    }

    @Test
    void a101ThatDoesNotAnswerOurKeyIsRefused() {
        answerWith(key -> switching(WebSocketHandshake.acceptFor(WebSocketHandshake.newKey())));
        IOException e = assertThrows(IOException.class, this::connect);
        assertFalse(e instanceof HandshakeException, e.toString());
    }

    @Test
    void framesSentWithThe101ArriveAndOursReachTheServerMasked() throws Exception {
        CompletableFuture<Socket> accepted = answerWith(key -> switching(WebSocketHandshake.acceptFor(key)),
                out -> new FrameWriter(out, false).text("hello"));
        ClientWebSocket client = connect();
        client.start(events, 1024);
        assertEquals("text hello", events.next());
        client.sendText("greeting");
        client.sendBinary(ByteBuffer.wrap(new byte[70_000]), false);
        client.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true);
        ServerSide side = new ServerSide(accepted.get(5, TimeUnit.SECONDS));
        assertEquals("text greeting", side.next());
        assertEquals("binary 70003", side.next());
        assertTrue(side.request.contains("X-Test: yes\r\n"), side.request);
        assertTrue(side.request.startsWith("GET /register?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort()),
                side.request);
    }

    @Test
    void aBinaryMessageFromTheServerArrivesPieceByPiece() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        client.start(events, 1024);
        FrameWriter toClient = new FrameWriter(connected.socket().getOutputStream(), false);
        toClient.binary(ByteBuffer.wrap(new byte[200_000]), false);
        toClient.binary(ByteBuffer.allocate(0), true);
        assertEquals("binary 200000", events.next());
        assertTrue(events.pieces > 2, "a 64 KiB read buffer cannot hold it whole: " + events.pieces);
    }

    @Test
    void aMaskedFrameFromTheServerIsAProtocolError() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        client.start(events, 1024);
        ServerSide side = new ServerSide(connected.socket());
        new FrameWriter(side.socket.getOutputStream(), true).text("masked");
        assertEquals("close 1002 masked server frame", side.next());
        assertEquals("close 1002 masked server frame", events.next());
        assertTrue(events.queue.isEmpty(), "the text never reached the listener: " + events.queue);
    }

    @Test
    void pingsAreAnsweredAndTheServersCloseIsEchoed() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        client.start(events, 1024);
        ServerSide side = new ServerSide(connected.socket());
        FrameWriter toClient = new FrameWriter(side.socket.getOutputStream(), false);
        toClient.ping(ByteBuffer.wrap("p".getBytes(StandardCharsets.UTF_8)));
        assertEquals("pong p", side.next());
        toClient.close(CloseCodes.GOING_AWAY, "bye");
        assertEquals("close 1001 ", side.next());
        assertEquals("close 1001 bye", events.next());
        assertFalse(client.isOpen());
        assertEquals(-1, side.socket.getInputStream().read(), "the client closed the socket");
    }

    @Test
    void longHandedOffWorkRunsOnTheThreadThatReadItsMessageWhileAnotherReadsOn() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        CompletableFuture<Thread> readBy = new CompletableFuture<>();
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        List<Boolean> handOffs = new CopyOnWriteArrayList<>();
        Events handing = new Events() {
            @Override
            public void onText(String message) {
                readBy.complete(Thread.currentThread());
                handOffs.add(client.handOff(() -> {
                    ranOn.complete(Thread.currentThread());
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                handOffs.add(client.handOff(() -> { }));
                super.onText(message);
            }
        };
        client.start(handing, 1024);
        ServerSide side = new ServerSide(connected.socket());
        FrameWriter toClient = new FrameWriter(side.socket.getOutputStream(), false);
        toClient.text("work");
        assertEquals("text work", handing.next());
        assertEquals(readBy.get(5, TimeUnit.SECONDS), ranOn.get(5, TimeUnit.SECONDS));

        toClient.ping(ByteBuffer.wrap("p".getBytes(StandardCharsets.UTF_8)));
        assertEquals("pong p", side.next(), "answered while the work still holds the thread that read it");
        assertEquals(1, release.getCount());
        assertEquals(List.of(true, false), handOffs, "one hand-off per read");
        assertFalse(client.handOff(() -> { }), "only the reading thread hands off");
        release.countDown();
    }

    @Test
    void afterShortHandedOffWorkTheSameThreadReadsOn() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        List<Thread> readers = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        Events handing = new Events() {
            @Override
            public void onText(String message) {
                readers.add(Thread.currentThread());
                if (message.equals("work")) {
                    client.handOff(() -> ranOn.complete(Thread.currentThread()));
                }
                super.onText(message);
            }
        };
        client.start(handing, 1024);
        FrameWriter toClient = new FrameWriter(connected.socket().getOutputStream(), false);
        toClient.text("work");
        assertEquals("text work", handing.next());
        toClient.text("next");
        assertEquals("text next", handing.next());
        assertEquals(readers.get(0), ranOn.get(5, TimeUnit.SECONDS));
        assertEquals(readers.get(0), readers.get(1), "no thread switch: the work was short");
    }

    @Test
    void aConnectionDroppedWithoutACloseFrameEndsWith1006() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        client.start(events, 1024);
        connected.socket().close();
        assertTrue(events.next().startsWith("close 1006 "));
        assertThrows(IOException.class, () -> client.sendText("late"));
    }

    @Test
    void ourCloseIsSentAndTheSocketClosedOnTheServersAnswer() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        client.start(events, 1024);
        ServerSide side = new ServerSide(connected.socket());
        client.close(4000, "caller gone");
        assertEquals("close 4000 caller gone", side.next());
        new FrameWriter(side.socket.getOutputStream(), false).close(4000, "");
        assertEquals("close 4000 caller gone", events.next());
        assertThrows(IOException.class, () -> client.sendText("after close"));
    }

    @Test
    void ourCloseEndsTheConnectionWhenTheServerNeverAnswersIt() throws Exception {
        Connected connected = connected();
        ClientWebSocket client = connected.client();
        client.start(events, 1024);
        ServerSide side = new ServerSide(connected.socket());
        long start = System.nanoTime();
        client.close(CloseCodes.GOING_AWAY, "shutting down");
        assertEquals("close 1001 shutting down", side.next());
        assertEquals("close 1001 shutting down", events.next());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "closed after a short wait");
        assertEquals(-1, side.socket.getInputStream().read(), "the client closed the socket");
    }

    @Test
    void anIpv6LiteralIsDialledAndNamedInBracketsInTheHostHeader() throws Exception {
        ServerSocket v6;
        try {
            v6 = new ServerSocket(0, 4, InetAddress.getByName("::1"));
        } catch (IOException noIpv6) {
            assumeTrue(false, "no IPv6 loopback here: " + noIpv6);
            return;
        }
        try (v6) {
            CompletableFuture<Socket> accepted = answerWith(v6, key -> switching(WebSocketHandshake.acceptFor(key)),
                    out -> { });
            URI uri = URI.create("ws://[::1]:" + v6.getLocalPort() + "/register");
            ClientWebSocket.connect(uri, Map.of(), null, 5_000).close(CloseCodes.NORMAL, "");
            String request = new ServerSide(accepted.get(5, TimeUnit.SECONDS)).request;
            assertTrue(request.contains("\r\nHost: [::1]:" + v6.getLocalPort() + "\r\n"), request);
        }
    }

    @Test
    void overTlsTheHostNameGoesOutForSni(@TempDir Path dir) throws Exception {
        Path keys = TestStores.keyStore(dir.resolve("server.p12"), "store-pw", "server", "dns:localhost");
        Path trust = TestStores.trustStore(dir.resolve("trust.p12"), "store-pw", keys, "store-pw");
        try (ServerSocket tls = TestStores.context(keys, "store-pw", null, null).getServerSocketFactory()
                .createServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = answerWith(tls, key -> switching(WebSocketHandshake.acceptFor(key)),
                    out -> { });
            URI uri = URI.create("wss://localhost:" + tls.getLocalPort() + "/register");
            ClientWebSocket.connect(uri, Map.of(), TestStores.context(null, null, trust, "store-pw"), 5_000)
                    .close(CloseCodes.NORMAL, "");
            SSLSocket socket = (SSLSocket) accepted.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(new SNIHostName("localhost")),
                    ((ExtendedSSLSession) socket.getSession()).getRequestedServerNames());
        }
    }

    /** A client and the socket of the server that answered its handshake as a server should. */
    private record Connected(ClientWebSocket client, Socket socket) {
    }

    private Connected connected() throws Exception {
        CompletableFuture<Socket> accepted = answerWith(key -> switching(WebSocketHandshake.acceptFor(key)));
        ClientWebSocket client = connect();
        return new Connected(client, accepted.get(5, TimeUnit.SECONDS));
    }

    private ClientWebSocket connect() throws IOException {
        URI uri = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/register?x=1");
        return ClientWebSocket.connect(uri, Map.of("X-Test", "yes"), null, 5_000);
    }

    private static String switching(String accept) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
    }

    private interface Answer {
        String to(String key);
    }

    private interface After {
        void write(OutputStream out) throws IOException;
    }

    private CompletableFuture<Socket> answerWith(Answer answer) {
        return answerWith(answer, out -> { });
    }

    /** Accepts one connection, reads its handshake and answers; {@code after} goes out in the same write. */
    private CompletableFuture<Socket> answerWith(Answer answer, After after) {
        return answerWith(server, answer, after);
    }

    private static CompletableFuture<Socket> answerWith(ServerSocket server, Answer answer, After after) {
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                Socket socket = server.accept();
                String request = readHead(socket.getInputStream());
                ServerSide.requests.put(socket, request);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(answer.to(header(request, "sec-websocket-key")).getBytes(StandardCharsets.US_ASCII));
                after.write(out);
                socket.getOutputStream().write(out.toByteArray());
                socket.getOutputStream().flush();
                accepted.complete(socket);
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        }, "test-server");
        thread.setDaemon(true);
        thread.start();
        return accepted;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed during the handshake");
            }
            head.append((char) c);
        }
        return head.toString();
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** What the server side reads from the client, as events. */
    private static final class ServerSide {

        static final Map<Socket, String> requests = new java.util.concurrent.ConcurrentHashMap<>();

        final Socket socket;
        final String request;
        private final Events events = new Events();
        private final FrameReader reader = new FrameReader(true, 1024, events);

        ServerSide(Socket socket) {
            this.socket = socket;
            this.request = requests.get(socket);
        }

        String next() throws Exception {
            byte[] buffer = new byte[8192];
            while (events.queue.isEmpty()) {
                int n = socket.getInputStream().read(buffer);
                if (n < 0) {
                    throw new IOException("client closed");
                }
                reader.feed(ByteBuffer.wrap(buffer, 0, n));
            }
            return events.next();
        }
    }

    private static class Events implements FrameHandler, ClientWebSocket.Listener {

        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final Map<String, Long> partial = new HashMap<>();
        /** How many pieces binary messages arrived in; read once the message is heard. */
        volatile int pieces;

        String next() throws InterruptedException {
            String event = queue.poll(5, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("nothing happened within 5 s");
            }
            return event;
        }

        @Override
        public void onText(String message) {
            queue.add("text " + message);
        }

        @Override
        public void onBinary(ByteBuffer chunk, boolean last) {
            pieces++;
            long size = partial.merge("binary", (long) chunk.remaining(), Long::sum);
            if (last) {
                partial.clear();
                queue.add("binary " + size);
            }
        }

        @Override
        public void onPing(ByteBuffer payload) {
            queue.add("ping " + StandardCharsets.UTF_8.decode(payload));
        }

        @Override
        public void onPong(ByteBuffer payload) {
            queue.add("pong " + StandardCharsets.UTF_8.decode(payload));
        }

        @Override
        public void onPong() {
            queue.add("pong");
        }

        @Override
        public void onClose(int code, String reason) {
            queue.add("close " + code + " " + reason);
        }
    }
}
