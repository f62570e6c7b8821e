package io.wsp.agent.forward.http1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class Http1ClientTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Http1Client client = new Http1Client(Duration.ofSeconds(10));
    private RawServer raw;
    private HttpServer http;

    @AfterEach
    void stop() throws IOException {
        client.close();
        threads.shutdownNow();
        if (raw != null) {
            raw.close();
        }
        if (http != null) {
            http.stop(0);
        }
    }

    @Test
    @Timeout(120)
    void echoOf64MiBReadWhileWrittenCompletes() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(Executors.newCachedThreadPool());
        http.createContext("/echo", ex -> {
            // Echoes each piece as it reads it: the response fills the socket before the request ends.
            ex.sendResponseHeaders(200, 0);
            try (InputStream in = ex.getRequestBody(); OutputStream out = ex.getResponseBody()) {
                byte[] buffer = new byte[32 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        });
        http.start();
        long size = 64L * 1024 * 1024;
        PatternStream body = new PatternStream(size);
        URI uri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/echo");

        long start = System.nanoTime();
        Http1Exchange x = client.newExchange(uri, LOOPBACK, "POST", Map.of(), size);
        x.sendHead();
        Future<?> writer = threads.submit(() -> {
            x.sendBody(body);
            return null;
        });
        Http1Response response = x.readResponse();
        CRC32 received = new CRC32();
        long count = 0;
        byte[] buffer = new byte[32 * 1024];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received.update(buffer, 0, n);
                count += n;
            }
        }
        writer.get(10, TimeUnit.SECONDS);
        System.out.printf("64 MiB echo through Http1Client: %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertEquals(200, response.status());
        assertEquals(size, count);
        assertEquals(body.crc.getValue(), received.getValue());
    }

    @Test
    void knownLengthBodyGoesOutWithContentLengthAndExactHead() throws Exception {
        CompletableFuture<String> request = new CompletableFuture<>();
        raw = new RawServer(c -> {
            String head = c.readHead();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            c.readBody(head, bytes);
            request.complete(head + "\r\n" + bytes.toString(StandardCharsets.ISO_8859_1));
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("X-Custom", List.of("a", "b"));
        headers.put("Connection", List.of("close, X-Private"));
        headers.put("X-Private", List.of("secret"));
        headers.put("Host", List.of("evil"));
        headers.put("Content-Length", List.of("1"));
        headers.put("Expect", List.of("100-continue"));
        headers.put("Keep-Alive", List.of("timeout=5"));
        headers.put("Upgrade", List.of("h2c"));
        headers.put("X-Unsendable", List.of("bell\u0007", "euro \u20ac"));

        Result result = exchange(raw.uri("/p/a%20b?q=1&r=%2F"), "POST", headers, bytes("hello"), 5);

        assertEquals("ok", result.text());
        assertEquals("POST /p/a%20b?q=1&r=%2F HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + raw.port() + "\r\n"
                + "X-Custom: a\r\nX-Custom: b\r\n"
                + "Content-Length: 5\r\n\r\nhello", request.get(5, TimeUnit.SECONDS));
    }

    @Test
    void unknownLengthBodyGoesOutChunkedAndIntact() throws Exception {
        CompletableFuture<String> request = new CompletableFuture<>();
        raw = new RawServer(c -> {
            String head = c.readHead();
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            byte[] body = c.readBody(head, framed);
            request.complete(head + "\r\n" + framed.toString(StandardCharsets.ISO_8859_1));
            c.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
            c.out.write(body);
            c.out.flush();
        });
        byte[] body = new byte[100_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7);
        }

        Result result = exchange(raw.uri(""), "PUT", Map.of(), body, -1);

        assertArrayEquals(body, result.body);
        String sent = request.get(5, TimeUnit.SECONDS);
        assertTrue(sent.startsWith("PUT / HTTP/1.1\r\nHost: 127.0.0.1:" + raw.port()
                + "\r\nTransfer-Encoding: chunked\r\n\r\n8000\r\n"), sent);
        assertTrue(sent.endsWith("\r\n0\r\n\r\n"), "ends with the last chunk");
    }

    @Test
    void chunkedResponseWithOddSizesExtensionsAndTrailersIsDecoded() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 999\r\n\r\n"
                    + "1\r\na\r\n"
                    + "b;name=value;x=\"q\"\r\nbcdefghijkl\r\n"
                    + "00003 \r\nmno\r\n"
                    + "0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n");
            // Same connection: a second request proves the trailers were consumed exactly.
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
        });

        Result first = exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);
        Result second = exchange(raw.uri("/"), "POST", Map.of(), bytes("y"), 1);

        assertEquals("abcdefghijklmno", first.text());
        assertFalse(first.response.headers().containsKey("Content-Length"), "Transfer-Encoding overrides it");
        assertEquals("next", second.text());
        assertEquals(1, raw.accepted());
    }

    @Test
    void malformedChunkSizeFailsTheBody() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n");
        });

        assertThrows(Http1Exception.class, () -> exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1));
    }

    @Test
    void contentLengthResponseIsReadToItsLengthAndTheConnectionReused() throws Exception {
        raw = new RawServer(c -> {
            for (int i = 0; i < 2; i++) {
                c.readBody(c.readHead(), new ByteArrayOutputStream());
                c.send("HTTP/1.1 201 Created\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 5\r\n\r\nfirst");
            }
        });

        Result first = exchange(raw.uri("/"), "POST", Map.of(), bytes("one"), 3);
        Result second = exchange(raw.uri("/"), "POST", Map.of(), bytes("two"), -1);

        assertEquals(201, first.response.status());
        assertEquals(List.of("1", "2"), first.response.headers().get("X-A"));
        assertEquals("first", first.text());
        assertEquals("first", second.text());
        assertEquals(1, raw.accepted());
        assertEquals(1, client.idleConnections());
    }

    @Test
    void responseUntilCloseIsReadAndTheConnectionNotReused() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\n\r\nuntil the end");
            c.socket.close();
        });

        Result result = exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);

        assertEquals("until the end", result.text());
        assertEquals(0, client.idleConnections());
    }

    @Test
    void connectionCloseFromTheDestinationIsNotReused() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
            // Left open: only the header tells the client not to reuse it.
            c.readHead();
        });

        exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);
        exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);

        assertEquals(2, raw.accepted());
    }

    @Test
    void headAnd204And304HaveNoBody() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 204 No Content\r\n\r\n");
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast");
        });

        Result head = exchange(raw.uri("/"), "HEAD", Map.of(), bytes("x"), 1);
        Result noContent = exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);
        Result notModified = exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);
        Result last = exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);

        assertEquals(0, head.body.length);
        assertEquals(List.of("10"), head.response.headers().get("Content-Length"));
        assertEquals(204, noContent.response.status());
        assertEquals(0, noContent.body.length);
        assertEquals(0, notModified.body.length);
        assertEquals("last", last.text());
        assertEquals(1, raw.accepted());
    }

    @Test
    void interimResponsesAreSkipped() throws Exception {
        raw = new RawServer(c -> {
            String head = c.readHead();
            c.send("HTTP/1.1 100 Continue\r\n\r\n");
            c.readBody(head, new ByteArrayOutputStream());
            c.send("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
        });

        Result result = exchange(raw.uri("/"), "POST", Map.of("Expect", List.of("100-continue")), bytes("x"), 1);

        assertEquals(200, result.response.status());
        assertFalse(result.response.headers().containsKey("Link"));
        assertEquals("done", result.text());
    }

    @Test
    void responseHeadOverTheLimitIsRefused() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\n");
            String line = "X-Big: " + "v".repeat(1000) + "\r\n";
            try {
                for (int i = 0; i < 100; i++) {
                    c.send(line);
                }
            } catch (IOException closedByClient) {
                // Expected once the client gives up.
            }
        });

        Http1Exception e = assertThrows(Http1Exception.class,
                () -> exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1));
        assertTrue(e.getMessage().contains("too"), e.getMessage());
    }

    @Test
    void obsoleteLineFoldingIsRefused() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n");
        });

        Http1Exception e = assertThrows(Http1Exception.class,
                () -> exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1));
        assertEquals("obsolete header line folding", e.getMessage());
    }

    @Test
    void headerValueWithLineBreakIsRefusedBeforeAnyIo() {
        assertThrows(IllegalArgumentException.class, () -> client.newExchange(URI.create("http://127.0.0.1:1/"), LOOPBACK,
                "POST", Map.of("X-A", List.of("a\r\nX-Injected: 1")), 1));
        assertThrows(IllegalArgumentException.class, () -> client.newExchange(URI.create("http://127.0.0.1:1/"), LOOPBACK,
                "POST", Map.of("X-A\u0000", List.of("a")), 1));
    }

    @Test
    void bodyShorterThanItsContentLengthFailsTheExchange() throws Exception {
        CountDownLatch closedByClient = new CountDownLatch(1);
        raw = new RawServer(c -> {
            c.readHead();
            c.in.readNBytes(3);
            if (c.in.read() < 0) {
                closedByClient.countDown();
            }
        });
        Http1Exchange x = client.newExchange(raw.uri("/"), LOOPBACK, "POST", Map.of(), 10);
        x.sendHead();

        IOException e = assertThrows(IOException.class, () -> x.sendBody(new ByteArrayInputStream(bytes("abc"))));

        assertEquals("request body shorter than its Content-Length", e.getMessage());
        assertThrows(IOException.class, x::readResponse);
        assertTrue(closedByClient.await(5, TimeUnit.SECONDS));
    }

    @Test
    void bodyLongerThanItsContentLengthFailsBeforeItsLastBytesGoOut() throws Exception {
        CompletableFuture<Integer> received = new CompletableFuture<>();
        raw = new RawServer(c -> {
            c.readHead();
            received.complete(c.in.readAllBytes().length);
        });
        Http1Exchange x = client.newExchange(raw.uri("/"), LOOPBACK, "POST", Map.of(), 3);
        x.sendHead();

        IOException e = assertThrows(IOException.class, () -> x.sendBody(new ByteArrayInputStream(bytes("abcd"))));

        assertEquals("request body longer than its Content-Length", e.getMessage());
        assertEquals(0, received.get(5, TimeUnit.SECONDS));
    }

    @Test
    void cancelClosesTheConnectionAndWakesBothDirections() throws Exception {
        CountDownLatch headReceived = new CountDownLatch(1);
        CountDownLatch closedByClient = new CountDownLatch(1);
        raw = new RawServer(c -> {
            c.readHead();
            headReceived.countDown();
            // Never answers; reads until the client goes away.
            while (c.in.read() >= 0) {
                // Discard.
            }
            closedByClient.countDown();
        });
        Http1Exchange x = client.newExchange(raw.uri("/"), LOOPBACK, "POST", Map.of(), -1);
        x.sendHead();
        InputStream neverEnding = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        Future<?> writer = threads.submit(() -> {
            x.sendBody(neverEnding);
            return null;
        });
        Future<Http1Response> reader = threads.submit(x::readResponse);
        assertTrue(headReceived.await(5, TimeUnit.SECONDS));

        x.cancel();

        ExecutionException readFailure = assertThrows(ExecutionException.class, () -> reader.get(5, TimeUnit.SECONDS));
        assertTrue(readFailure.getCause() instanceof IOException);
        assertThrows(ExecutionException.class, () -> writer.get(5, TimeUnit.SECONDS));
        assertTrue(closedByClient.await(5, TimeUnit.SECONDS));
    }

    @Test
    void pooledConnectionClosedByTheDestinationIsNotUsed() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            if (c.number == 1) {
                c.socket.close();
                firstClosed.countDown();
            }
        });
        exchange(raw.uri("/"), "POST", Map.of(), bytes("x"), 1);
        assertTrue(firstClosed.await(5, TimeUnit.SECONDS));

        Result second = exchange(raw.uri("/"), "POST", Map.of(), bytes("y"), 1);

        assertEquals("ok", second.text());
        assertEquals(2, raw.accepted());
    }

    @Test
    void aBodilessRequestOnAPooledConnectionClosedByTheDestinationIsAnsweredOnANewOne() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        raw = new RawServer(c -> {
            c.readHead();
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            if (c.number == 1) {
                c.socket.close();
                firstClosed.countDown();
            }
        });
        exchange(raw.uri("/"), "DELETE", Map.of(), new byte[0], 0);
        assertTrue(firstClosed.await(5, TimeUnit.SECONDS));

        Result second = exchange(raw.uri("/"), "DELETE", Map.of(), new byte[0], 0);

        assertEquals("ok", second.text());
        assertEquals(2, raw.accepted());
    }

    @Test
    void pooledConnectionDeadBeforeAnyBodyByteIsRetriedOnceOnANewOne() throws Exception {
        CountDownLatch oldConnectionDropped = new CountDownLatch(1);
        CompletableFuture<String> retriedBody = new CompletableFuture<>();
        raw = new RawServer(c -> {
            if (c.number == 1) {
                c.readBody(c.readHead(), new ByteArrayOutputStream());
                c.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
                // The next request's head arrives, then the server goes away without a response byte.
                c.readHead();
                c.socket.shutdownOutput();
                try {
                    while (c.in.read() >= 0) {
                        // Nothing can come before the client drops the connection.
                    }
                } catch (IOException reset) {
                    // Dropped too.
                }
                oldConnectionDropped.countDown();
                return;
            }
            String head = c.readHead();
            retriedBody.complete(new String(c.readBody(head, new ByteArrayOutputStream()), StandardCharsets.UTF_8));
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nretried");
        });
        exchange(raw.uri("/"), "POST", Map.of(), bytes("one"), 3);
        // The body is held back until the client gave up the dead connection: no body byte went to it.
        InputStream heldBody = new ByteArrayInputStream(bytes("second")) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                try {
                    oldConnectionDropped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.read(b, off, len);
            }
        };

        Http1Exchange x = client.newExchange(raw.uri("/"), LOOPBACK, "POST", Map.of(), 6);
        x.sendHead();
        Future<?> writer = threads.submit(() -> {
            x.sendBody(heldBody);
            return null;
        });
        Http1Response response = x.readResponse();

        assertEquals("retried", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
        writer.get(5, TimeUnit.SECONDS);
        assertEquals("second", retriedBody.get(5, TimeUnit.SECONDS));
        assertEquals(2, raw.accepted());
    }

    @Test
    void pooledConnectionDeadAfterBodyBytesWentOutIsNotRetried() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
            // Reads the whole second request, body included, then leaves without answering.
            c.readBody(c.readHead(), new ByteArrayOutputStream());
        });
        exchange(raw.uri("/"), "POST", Map.of(), bytes("one"), 3);

        assertThrows(IOException.class, () -> exchange(raw.uri("/"), "POST", Map.of(), bytes("two"), 3));
        assertEquals(1, raw.accepted());
    }

    @Test
    void connectionRefusedFailsWithConnectException() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Http1Exchange x = client.newExchange(URI.create("http://127.0.0.1:" + port + "/"), LOOPBACK, "POST", Map.of(), 1);

        assertThrows(java.net.ConnectException.class, x::sendHead);
    }

    @Test
    void connectsToTheGivenAddressAndSendsTheNameAsHost() throws Exception {
        CompletableFuture<String> request = new CompletableFuture<>();
        raw = new RawServer(c -> {
            request.complete(c.readHead());
            c.send("HTTP/1.1 204 No Content\r\n\r\n");
        });
        // .invalid never resolves (RFC 6761): the request can only arrive through the given address.
        URI named = URI.create("http://api.invalid:" + raw.port() + "/x");

        assertEquals(204, exchange(named, "GET", Map.of(), new byte[0], 0).response().status());
        assertEquals("GET /x HTTP/1.1\r\nHost: api.invalid:" + raw.port() + "\r\n", request.get(5, TimeUnit.SECONDS));
    }

    @Test
    void connectionsArePooledPerAddress() throws Exception {
        raw = new RawServer(c -> {
            while (c.readHead() != null) {
                c.send("HTTP/1.1 204 No Content\r\n\r\n");
            }
        });
        URI uri = URI.create("http://localhost:" + raw.port() + "/");
        exchange(uri, "GET", Map.of(), new byte[0], 0);
        Http1Exchange other = client.newExchange(uri, InetAddress.getByName("127.0.0.2"), "GET", Map.of(), 0);

        // Nothing listens on 127.0.0.2: reusing the idle connection to 127.0.0.1 would have worked.
        assertEquals(1, client.idleConnections());
        assertThrows(java.net.ConnectException.class, other::sendHead);
    }

    @Test
    void aBodyClosedBeforeItsEndFailsLaterReadsRatherThanEndingCleanly() throws Exception {
        raw = new RawServer(c -> {
            c.readHead();
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            c.readHead();
        });
        Http1Exchange x = client.newExchange(raw.uri("/"), LOOPBACK, "GET", Map.of(), 0);
        x.sendHead();
        x.sendBody(new ByteArrayInputStream(new byte[0]));
        InputStream body = x.readResponse().body();
        assertEquals(3, body.readNBytes(3).length);

        // What a cancel does from another thread while the relay is between two reads.
        body.close();

        assertThrows(IOException.class, () -> body.read(new byte[8]));
    }

    @Test
    void aBodylessGetHasNoContentLength() throws Exception {
        CompletableFuture<String> request = new CompletableFuture<>();
        raw = new RawServer(c -> {
            request.complete(c.readHead());
            c.send("HTTP/1.1 204 No Content\r\n\r\n");
        });

        exchange(raw.uri("/"), "GET", Map.of(), new byte[0], 0);

        assertEquals("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + raw.port() + "\r\n", request.get(5, TimeUnit.SECONDS));
    }

    /** One exchange: the body is written on another thread while the response is read here. */
    private Result exchange(URI uri, String method, Map<String, List<String>> headers, byte[] body, long length)
            throws Exception {
        Http1Exchange x = client.newExchange(uri, LOOPBACK, method, headers, length);
        x.sendHead();
        Future<?> writer = threads.submit(() -> {
            x.sendBody(new ByteArrayInputStream(body));
            return null;
        });
        Http1Response response = x.readResponse();
        byte[] received;
        try (InputStream in = response.body()) {
            received = in.readAllBytes();
        }
        writer.get(5, TimeUnit.SECONDS);
        return new Result(response, received);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record Result(Http1Response response, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** {@code size} generated bytes, checksummed as they are read: a large body without holding it. */
    static final class PatternStream extends InputStream {
        final CRC32 crc = new CRC32();
        private long left;
        private long position;

        PatternStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                b[off + i] = (byte) (p * 31 + (p >>> 11));
            }
            crc.update(b, off, n);
            position += n;
            left -= n;
            return n;
        }
    }
}
