package io.wsp.agent.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.rules.Rule;
import io.wsp.rules.RuleSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ForwarderTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** For the timeout tests: short, so they run fast; the backends below outlast it many times over. */
    private static final Duration SHORT = Duration.ofMillis(300);

    private HttpServer server;
    private String base;
    private Forwarder forwarder;
    private final AtomicInteger backendCalls = new AtomicInteger();
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    /** What /slow sends after its first word: 16 MiB, more than loopback socket buffers hold. */
    private static final int SLOW_CHUNK = 64 * 1024;
    private static final int SLOW_CHUNKS = 256;

    private final CountDownLatch slowReleased = new CountDownLatch(1);
    private final CountDownLatch slowAbandoned = new CountDownLatch(1);
    private final CountDownLatch uploadStarted = new CountDownLatch(1);
    private final CountDownLatch uploadAbandoned = new CountDownLatch(1);
    private final CountDownLatch hangReleased = new CountDownLatch(1);

    @BeforeEach
    void startBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/hello", ex -> {
            backendCalls.incrementAndGet();
            ex.getResponseHeaders().add("X-Test", "yes");
            respond(ex, 200, "hello " + ex.getRequestMethod());
        });
        server.createContext("/echo", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("X-Seen-Length", String.valueOf(ex.getRequestHeaders().getFirst("Content-Length")));
            ex.getResponseHeaders().add("X-Seen-Encoding", String.valueOf(ex.getRequestHeaders().getFirst("Transfer-Encoding")));
            ex.getResponseHeaders().add("X-Seen-Custom", String.valueOf(ex.getRequestHeaders().getFirst("X-Custom")));
            ex.getResponseHeaders().add("X-Seen-Host", String.valueOf(ex.getRequestHeaders().getFirst("Host")));
            ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/stream-echo", ex -> {
            // Echoes each piece as it reads it: answers long before the upload is complete.
            ex.sendResponseHeaders(200, 0);
            try (java.io.InputStream in = ex.getRequestBody(); OutputStream out = ex.getResponseBody()) {
                byte[] buffer = new byte[32 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        });
        server.createContext("/upload-stalls", ex -> {
            uploadStarted.countDown();
            try (java.io.InputStream in = ex.getRequestBody()) {
                while (in.read() >= 0) {
                    // Reads until the agent abandons the upload.
                }
                uploadAbandoned.countDown();
            } catch (IOException closedByAgent) {
                uploadAbandoned.countDown();
            }
        });
        server.createContext("/seen-headers", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("X-Seen-Host", ex.getRequestHeaders().getFirst("Host"));
            respond(ex, 200, String.join(",", ex.getRequestHeaders().keySet()));
        });
        server.createContext("/hang", ex -> {
            // Reads the whole request, then answers nothing until the test ends.
            ex.getRequestBody().readAllBytes();
            try {
                hangReleased.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.createContext("/late-body", ex -> {
            // Head at once, the body after three times the short request timeout: a slow body, not a slow head.
            ex.sendResponseHeaders(200, 4);
            // The JDK's server buffers the head until the body is written or flushed: without this the
            // head left with the body, after the timeout (seen once on JDK 25).
            ex.getResponseBody().flush();
            try {
                Thread.sleep(SHORT.toMillis() * 3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (OutputStream out = ex.getResponseBody()) {
                out.write("late".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/missing", ex -> respond(ex, 404, "not here"));
        server.createContext("/slow", ex -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("first".getBytes(StandardCharsets.UTF_8));
            out.flush();
            slowStarted.countDown();
            try {
                slowReleased.await(10, TimeUnit.SECONDS);
                // Keep writing: once the agent abandoned the call, a write fails; buffering cannot
                // hide a call left open.
                byte[] chunk = new byte[SLOW_CHUNK];
                for (int i = 0; i < SLOW_CHUNKS; i++) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException closedByClient) {
                slowAbandoned.countDown();
            }
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        forwarder = new Forwarder(RuleSet.allowAll(), true, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    }

    @AfterEach
    void stopBackend() {
        slowReleased.countDown();
        hangReleased.countDown();
        forwarder.close();
        server.stop(0);
    }

    @Test
    void getIsForwardedAndTheResponseRelayed() throws Exception {
        CollectingSink sink = new CollectingSink();

        Exchange exchange = forwarder.start(head("GET", base + "/hello", 0), sink);
        exchange.onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals(200, sink.head.statusCode);
        assertEquals(List.of("yes"), header(sink.head, "X-Test"));
        assertEquals(9, sink.head.contentLength);
        assertEquals("hello GET", sink.bodyText());
        assertTrue(sink.frames >= 1);
    }

    @Test
    void aBodyOfKnownLengthEndsWithItsLastDataFrame() throws Exception {
        CollectingSink sink = new CollectingSink();

        Exchange exchange = forwarder.start(head("GET", base + "/hello", 0), sink);
        exchange.onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals("hello GET", sink.bodyText());
        assertEquals(1, sink.frames);
    }

    @Test
    void aSmallBodyGoesOutWithItsHeadInOneCallFromJettysThread() throws Exception {
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", base + "/hello", 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals("hello GET", sink.bodyText());
        assertNull(sink.sentHeadBy);
        assertTrue(sink.sentWholeBy.startsWith("wsp-agent-jetty"), sink.sentWholeBy);
    }

    @Test
    void aBodyLargerThanAFrameGoesOutHeadFirstInFramesFromARelayWorker() throws Exception {
        CollectingSink sink = new CollectingSink();
        byte[] body = new byte[3 * WspProtocol.BODY_FRAME_SIZE];

        Exchange exchange = forwarder.start(head("POST", base + "/echo", body.length), sink);
        exchange.onBodyFrame(ByteBuffer.wrap(body), true);

        sink.awaitDone();
        assertEquals(body.length, sink.body.size());
        assertNull(sink.sentWholeBy);
        assertTrue(sink.sentHeadBy.startsWith("wsp-agent-relay"), sink.sentHeadBy);
        assertTrue(sink.frames >= 3, "frames: " + sink.frames);
    }

    @Test
    void postBodyGoesOutWithItsContentLength() throws Exception {
        CollectingSink sink = new CollectingSink();
        byte[] body = new byte[3 * WspProtocol.BODY_FRAME_SIZE + 17];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        RequestHead head = head("POST", base + "/echo", body.length);
        head.header = Map.of("X-Custom", List.of("v"), "Connection", List.of("close"), "Host", List.of("evil"),
                "Content-Length", List.of("1"));

        Exchange exchange = forwarder.start(head, sink);
        sendInFrames(exchange, body);

        sink.awaitDone();
        assertEquals(200, sink.head.statusCode);
        assertEquals(List.of(String.valueOf(body.length)), header(sink.head, "X-Seen-Length"));
        assertEquals(List.of("null"), header(sink.head, "X-Seen-Encoding"));
        assertEquals(List.of("v"), header(sink.head, "X-Seen-Custom"));
        assertTrue(java.util.Arrays.equals(body, sink.body.toByteArray()));
    }

    @Test
    void unknownLengthBodyStreamsChunked() throws Exception {
        CollectingSink sink = new CollectingSink();
        byte[] body = "a body of unknown length, in two frames".getBytes(StandardCharsets.UTF_8);

        Exchange exchange = forwarder.start(head("POST", base + "/echo", WspProtocol.UNKNOWN_LENGTH), sink);
        exchange.onBodyFrame(ByteBuffer.wrap(body, 0, 10), false);
        exchange.onBodyFrame(ByteBuffer.wrap(body, 10, body.length - 10), true);

        sink.awaitDone();
        assertEquals(List.of("chunked"), header(sink.head, "X-Seen-Encoding"));
        assertEquals(new String(body, StandardCharsets.UTF_8), sink.bodyText());
    }

    @Test
    void unknownLengthBodyInOneFrameGetsAnExactLength() throws Exception {
        CollectingSink sink = new CollectingSink();

        Exchange exchange = forwarder.start(head("POST", base + "/echo", WspProtocol.UNKNOWN_LENGTH), sink);
        exchange.onBodyFrame(ByteBuffer.wrap("12345".getBytes(StandardCharsets.UTF_8)), true);

        sink.awaitDone();
        assertEquals(List.of("5"), header(sink.head, "X-Seen-Length"));
        assertEquals("12345", sink.bodyText());
    }

    @Test
    void notFoundPassesThrough() throws Exception {
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", base + "/missing", 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals(404, sink.head.statusCode);
        assertEquals("not here", sink.bodyText());
    }

    @Test
    void connectionRefusedIsAnsweredWith527() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", "http://127.0.0.1:" + closedPort + "/", 0), sink)
                .onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals("unable to execute request: connection refused", sink.bodyText());
        assertEquals(sink.body.size(), sink.head.contentLength);
        assertEquals(List.of("text/plain; charset=utf-8"), header(sink.head, "Content-Type"));
    }

    @Test
    void nonHttpSchemeIsAnsweredWith527AndItsBodyDrained() throws Exception {
        CollectingSink sink = new CollectingSink();

        Exchange exchange = forwarder.start(head("POST", "ftp://127.0.0.1/file", 1_000_000), sink);
        for (int i = 0; i < 100; i++) {
            exchange.onBodyFrame(ByteBuffer.allocate(10_000), i == 99);
        }

        sink.awaitDone();
        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals("destination URL must be http or https", sink.bodyText());
    }

    @Test
    void userInfoInTheDestinationIsAnsweredWith527AndNeverSent() throws Exception {
        CollectingSink sink = new CollectingSink();

        Exchange exchange = forwarder.start(head("GET", base.replace("://", "://user:pw@") + "/hello", 0), sink);
        exchange.onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals("destination URL must not contain user info", sink.bodyText());
        assertEquals(0, backendCalls.get());
    }

    @Test
    void wspsOwnAndHopByHopHeadersNeverLeaveTheAgentAndHostIsTheDestinations() throws Exception {
        for (long length : new long[] {0, 3}) {
            CollectingSink sink = new CollectingSink();
            RequestHead head = head("POST", base + "/seen-headers", length);
            head.header = new HashMap<>(Map.of("X-PROXY-DESTINATION", List.of("http://elsewhere/"),
                    "X-Secret-Key", List.of("s"), "X-Proxy-Agent", List.of("a"), "Connection", List.of("X-Hop"),
                    "X-Hop", List.of("1"), "Keep-Alive", List.of("timeout=5"), "TE", List.of("trailers"),
                    "Trailer", List.of("X-T"), "Upgrade", List.of("h2c"), "Proxy-Authorization", List.of("Basic eA==")));
            head.header.put("Host", List.of("evil"));
            head.header.put("X-Kept", List.of("yes"));

            Exchange exchange = forwarder.start(head, sink);
            exchange.onBodyFrame(ByteBuffer.wrap(new byte[(int) length]), true);

            sink.awaitDone();
            assertEquals(200, sink.head.statusCode, "length " + length);
            List<String> seen = List.of(sink.bodyText().toLowerCase(Locale.ROOT).split(","));
            for (String name : List.of("x-proxy-destination", "x-secret-key", "x-proxy-agent", "x-hop", "keep-alive",
                    "te", "trailer", "upgrade", "proxy-authorization")) {
                assertFalse(seen.contains(name), name + " reached the API (length " + length + "): " + seen);
            }
            assertTrue(seen.contains("x-kept"), seen.toString());
            assertEquals(List.of(base.substring("http://".length())), header(sink.head, "X-Seen-Host"));
        }
    }

    @Test
    void requestDeniedByRulesIs403ProblemJsonAndNeverReachesTheNetwork() throws Exception {
        useForwarder(new RuleSet(List.of(), List.of(Rule.ofUrl("/hello"))), true);
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", base + "/hello", 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals(403, sink.head.statusCode);
        assertEquals(List.of("application/problem+json"), header(sink.head, "Content-Type"));
        assertEquals(sink.body.size(), sink.head.contentLength);
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Destination forbidden by the agent\",\"status\":403,"
                + "\"detail\":\"the agent's rules do not allow this destination; its log says why\"}", sink.bodyText());
        assertEquals(0, backendCalls.get());
    }

    @Test
    void withoutAnAllowRuleEveryRequestIsRefused() throws Exception {
        useForwarder(RuleSet.allowAll(), false);
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", base + "/hello", 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals(403, sink.head.statusCode);
        assertEquals(0, backendCalls.get());
        assertTrue(forwarder.refusesEverything());
    }

    @Test
    void aRefusedUploadIsDrainedWithoutBlockingTheReceiveThread() throws Exception {
        useForwarder(RuleSet.allowAll(), false);
        CollectingSink sink = new CollectingSink();
        int frames = 4 * Forwarder.REQUEST_BODY_BUFFER / WspProtocol.BODY_FRAME_SIZE;

        Exchange exchange = forwarder.start(head("POST", base + "/echo", (long) frames * WspProtocol.BODY_FRAME_SIZE), sink);
        // Four times what the pipe buffers: a body nobody drains would block this thread for good.
        for (int i = 0; i < frames; i++) {
            exchange.onBodyFrame(ByteBuffer.allocate(WspProtocol.BODY_FRAME_SIZE), i == frames - 1);
        }

        sink.awaitDone();
        assertEquals(403, sink.head.statusCode);
    }

    @Test
    void theRequestGoesToTheCheckedAddressWithTheNameAsHost() throws Exception {
        AtomicInteger lookUps = new AtomicInteger();
        // .invalid never resolves in DNS: only the guard's address can lead to the backend.
        useForwarder(new DestinationGuard(new RuleSet(List.of(Rule.ofCidr("127.0.0.1")), List.of()), false, host -> {
            lookUps.incrementAndGet();
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        }));
        CollectingSink sink = new CollectingSink();
        String named = "http://api.invalid:" + server.getAddress().getPort() + "/echo";

        forwarder.start(head("POST", named, 2), sink).onBodyFrame(ByteBuffer.wrap(new byte[] {'h', 'i'}), true);

        sink.awaitDone();
        assertEquals(200, sink.head.statusCode);
        assertEquals("hi", sink.bodyText());
        assertEquals(List.of("api.invalid:" + server.getAddress().getPort()), header(sink.head, "X-Seen-Host"));
        assertEquals(1, lookUps.get());
    }

    @Test
    void anUnknownHostIsAnsweredWith527() throws Exception {
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", "http://nothing.invalid/", 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        sink.awaitDone();
        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals("unable to execute request: unknown host", sink.bodyText());
    }

    @Test
    void responseChunksAreRelayedAsSoonAsTheyArrive() throws Exception {
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", base + "/slow", 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        assertEquals("first", sink.firstChunk.get(5, TimeUnit.SECONDS));
        assertFalse(sink.done.isDone());
        slowReleased.countDown();
        sink.awaitDone();
        assertEquals(5 + SLOW_CHUNKS * SLOW_CHUNK, sink.body.size());
    }

    @Test
    void cancelStopsARelayInProgressWithoutAnswering() throws Exception {
        CollectingSink sink = new CollectingSink();
        Exchange exchange = forwarder.start(head("GET", base + "/slow", 0), sink);
        exchange.onBodyFrame(ByteBuffer.allocate(0), true);
        sink.firstChunk.get(5, TimeUnit.SECONDS);

        exchange.cancel();
        slowReleased.countDown();

        assertTrue(slowAbandoned.await(5, TimeUnit.SECONDS), "the internal call was not abandoned");
        assertFalse(sink.done.isDone());
        assertNull(sink.abortReason);
    }

    @Test
    @Timeout(120)
    void uploadOf64MiBEchoedWhileReadIsRelayedWithoutDeadlock() throws Exception {
        long size = 64L * 1024 * 1024;
        ChecksumSink sink = new ChecksumSink();
        java.util.zip.CRC32 sent = new java.util.zip.CRC32();
        byte[] frame = new byte[WspProtocol.BODY_FRAME_SIZE];

        long start = System.nanoTime();
        Exchange exchange = forwarder.start(head("POST", base + "/stream-echo", size), sink);
        for (long off = 0; off < size; off += frame.length) {
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) ((off + i) * 31 + ((off + i) >>> 11));
            }
            sent.update(frame);
            exchange.onBodyFrame(ByteBuffer.wrap(frame), off + frame.length >= size);
        }
        sink.done.get(60, TimeUnit.SECONDS);
        System.out.printf("64 MiB echo through the agent: %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertEquals(200, sink.status);
        assertEquals(size, sink.count);
        assertEquals(sent.getValue(), sink.crc.getValue());
    }

    @Test
    void uploadToAClosedPortIsAnsweredWith527() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        CollectingSink sink = new CollectingSink();

        Exchange exchange = forwarder.start(head("POST", "http://127.0.0.1:" + closedPort + "/", 5), sink);
        exchange.onBodyFrame(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), true);

        sink.awaitDone();
        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals("unable to execute request: connection refused", sink.bodyText());
    }

    @Test
    void cancelDuringAnUploadClosesTheInternalConnection() throws Exception {
        CollectingSink sink = new CollectingSink();
        Exchange exchange = forwarder.start(head("POST", base + "/upload-stalls", WspProtocol.UNKNOWN_LENGTH), sink);
        exchange.onBodyFrame(ByteBuffer.allocate(1000), false);
        assertTrue(uploadStarted.await(5, TimeUnit.SECONDS));

        exchange.cancel();

        assertTrue(uploadAbandoned.await(5, TimeUnit.SECONDS), "the upload was not abandoned");
        exchange.onBodyFrame(ByteBuffer.allocate(1000), true);
        assertFalse(sink.done.isDone());
        assertNull(sink.abortReason);
    }

    private void useForwarder(RuleSet rules, boolean allowAll) {
        forwarder.close();
        forwarder = new Forwarder(rules, allowAll, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    }

    private void useForwarder(DestinationGuard guard) {
        forwarder.close();
        forwarder = new Forwarder(guard, CONNECT_TIMEOUT, REQUEST_TIMEOUT);
    }

    @Test
    void getWithoutAResponseHeadInTimeIsAnswered527RequestTimeout() throws Exception {
        useTimeouts(CONNECT_TIMEOUT, SHORT);
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", base + "/hang", 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        assertRequestTimedOut(sink);
    }

    @Test
    void uploadWithoutAResponseHeadInTimeIsAnswered527RequestTimeout() throws Exception {
        useTimeouts(CONNECT_TIMEOUT, SHORT);
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("POST", base + "/hang", 5), sink)
                .onBodyFrame(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), true);

        assertRequestTimedOut(sink);
    }

    private static void assertRequestTimedOut(CollectingSink sink) throws Exception {
        sink.awaitDone();
        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals(List.of(WspProtocol.AGENT_ERROR_REQUEST_TIMEOUT), header(sink.head, WspProtocol.AGENT_ERROR_KIND_HEADER));
        assertEquals("the internal API sent no response head within 300 ms", sink.bodyText());
    }

    private void useTimeouts(Duration connect, Duration request) {
        forwarder.close();
        forwarder = new Forwarder(RuleSet.allowAll(), true, connect, request);
    }

    @Test
    void requestTimeoutEndsWithTheResponseHeadNotTheBody() throws Exception {
        useTimeouts(CONNECT_TIMEOUT, SHORT);
        CollectingSink get = new CollectingSink();
        CollectingSink post = new CollectingSink();

        forwarder.start(head("GET", base + "/late-body", 0), get).onBodyFrame(ByteBuffer.allocate(0), true);
        forwarder.start(head("POST", base + "/late-body", 1), post).onBodyFrame(ByteBuffer.wrap(new byte[1]), true);

        get.awaitDone();
        post.awaitDone();
        assertEquals("late", get.bodyText());
        assertEquals("late", post.bodyText());
        assertNull(get.abortReason);
        assertNull(post.abortReason);
    }

    @Test
    void aConnectTimeoutIsAnswered527ConnectTimeout() throws Exception {
        useTimeouts(SHORT, REQUEST_TIMEOUT);
        // A listener whose accept queue is full: Linux drops further SYNs, so connecting hangs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket first = new Socket(InetAddress.getLoopbackAddress(), full.getLocalPort());
             Socket second = new Socket(InetAddress.getLoopbackAddress(), full.getLocalPort())) {
            CollectingSink get = new CollectingSink();
            CollectingSink post = new CollectingSink();

            forwarder.start(head("GET", "http://127.0.0.1:" + full.getLocalPort() + "/", 0), get)
                    .onBodyFrame(ByteBuffer.allocate(0), true);
            forwarder.start(head("POST", "http://127.0.0.1:" + full.getLocalPort() + "/", 1), post)
                    .onBodyFrame(ByteBuffer.wrap(new byte[1]), true);

            get.awaitDone();
            post.awaitDone();
            for (CollectingSink sink : List.of(get, post)) {
                assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
                assertEquals(List.of(WspProtocol.AGENT_ERROR_CONNECT_TIMEOUT),
                        header(sink.head, WspProtocol.AGENT_ERROR_KIND_HEADER));
                assertEquals("unable to execute request: connect timeout", sink.bodyText());
            }
        }
    }

    private static void sendInFrames(Exchange exchange, byte[] body) throws InterruptedException {
        for (int off = 0; off < body.length; off += WspProtocol.BODY_FRAME_SIZE) {
            int n = Math.min(WspProtocol.BODY_FRAME_SIZE, body.length - off);
            exchange.onBodyFrame(ByteBuffer.wrap(body, off, n), off + n == body.length);
        }
    }

    private static RequestHead head(String method, String url, long contentLength) {
        return new RequestHead(method, url, Map.of(), contentLength);
    }

    private static List<String> header(ResponseHead head, String name) {
        return head.header.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst().orElse(List.of());
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Counts and checksums a response body without keeping it. */
    private static final class ChecksumSink implements ResponseSink {

        volatile int status;
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        long count;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public void sendHead(ResponseHead head) {
            status = head.statusCode;
        }

        @Override
        public synchronized void sendBody(ByteBuffer frame, boolean last) {
            count += frame.remaining();
            crc.update(frame);
            if (last) {
                done.complete(null);
            }
        }

        @Override
        public void abort(String reason) {
            done.completeExceptionally(new IOException(reason));
        }
    }
}
