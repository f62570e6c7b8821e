package io.wsp.agent.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.protocol.RequestHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.rules.Rule;
import io.wsp.rules.RuleSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What goes over the wire between the agent and an internal API, byte for byte, against a scripted
 * server: the agent's promises about the HTTP client it uses (ported from the tests of the former
 * forward/http1 client).
 */
@Timeout(30)
class InternalCallTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private RawServer raw;
    private Forwarder forwarder = new Forwarder(RuleSet.allowAll(), true, TIMEOUT, TIMEOUT);

    @AfterEach
    void stop() throws IOException {
        forwarder.close();
        if (raw != null) {
            raw.close();
        }
    }

    @Test
    void aKnownLengthBodyGoesOutWithTheCallersHeadersHostAndContentLengthAndNothingElse() throws Exception {
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

        CollectingSink sink = call("POST", raw.uri("/p/a%20b?q=1&r=%2F").toString(), headers, bytes("hello"));

        assertEquals("ok", sink.bodyText());
        String sent = request.get(5, TimeUnit.SECONDS);
        assertTrue(sent.startsWith("POST /p/a%20b?q=1&r=%2F HTTP/1.1\r\n"), sent);
        assertEquals(List.of("Content-Length: 5", "Host: 127.0.0.1:" + raw.port(), "X-Custom: a", "X-Custom: b"),
                headerLines(sent), "no User-Agent, Accept-Encoding, Content-Type or hop-by-hop header");
        assertTrue(sent.endsWith("\r\n\r\nhello"), sent);
    }

    @Test
    void anUnknownLengthBodyGoesOutChunkedAndIntact() throws Exception {
        CompletableFuture<String> request = new CompletableFuture<>();
        raw = new RawServer(c -> {
            String head = c.readHead();
            byte[] body = c.readBody(head, new ByteArrayOutputStream());
            request.complete(head);
            c.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
            c.out.write(body);
            c.out.flush();
        });
        byte[] body = new byte[100_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7);
        }

        CollectingSink sink = call("PUT", raw.uri("").toString(), Map.of(), body);

        assertArrayEquals(body, sink.body.toByteArray());
        String head = request.get(5, TimeUnit.SECONDS);
        assertTrue(head.startsWith("PUT / HTTP/1.1\r\n"), head);
        assertEquals(List.of("Host: 127.0.0.1:" + raw.port(), "Transfer-Encoding: chunked"), headerLines(head));
    }

    @Test
    void aBodilessGetHasNoContentLengthButAnEmptyPostHasOne() throws Exception {
        BlockingQueue<String> heads = new LinkedBlockingQueue<>();
        raw = new RawServer(c -> {
            String head;
            while ((head = c.readHead()) != null) {
                heads.add(head);
                c.send("HTTP/1.1 204 No Content\r\n\r\n");
            }
        });

        call("GET", raw.uri("/").toString(), Map.of(), new byte[0]);
        call("POST", raw.uri("/").toString(), Map.of(), new byte[0]);

        assertEquals("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + raw.port() + "\r\n", heads.take());
        assertEquals(List.of("Content-Length: 0", "Host: 127.0.0.1:" + raw.port()), headerLines(heads.take()));
    }

    @Test
    void chunkedResponsesAreRelayedWithoutContentLengthAndTheConnectionReused() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\na\r\n"
                    + "b;name=value;x=\"q\"\r\nbcdefghijkl\r\n"
                    + "3\r\nmno\r\n"
                    + "0\r\nX-Trailer: t\r\n\r\n");
            // Same connection: a second request proves the trailers were consumed exactly.
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
        });

        CollectingSink first = call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));
        CollectingSink second = call("POST", raw.uri("/").toString(), Map.of(), bytes("y"));

        assertEquals("abcdefghijklmno", first.bodyText());
        assertEquals(WspProtocol.UNKNOWN_LENGTH, first.head.contentLength);
        assertEquals(List.of(), first.header("Transfer-Encoding"));
        assertEquals("next", second.bodyText());
        assertEquals(1, raw.accepted());
    }

    @Test
    void repeatedResponseHeadersAreRelayedInOrderUnderOneName() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 201 Created\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 5\r\n\r\nfirst");
        });

        CollectingSink sink = call("POST", raw.uri("/").toString(), Map.of(), bytes("one"));

        assertEquals(201, sink.head.statusCode);
        assertEquals(List.of("1", "2"), sink.header("X-A"));
        assertEquals(5, sink.head.contentLength);
        assertEquals("first", sink.bodyText());
    }

    @Test
    void aResponseUntilCloseIsRelayedAndItsConnectionNotReused() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\n\r\nuntil the end");
            c.socket.close();
        });

        CollectingSink first = call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));
        CollectingSink second = call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));

        assertEquals("until the end", first.bodyText());
        assertEquals("until the end", second.bodyText());
        assertEquals(2, raw.accepted());
    }

    @Test
    void connectionCloseFromTheDestinationIsNotReused() throws Exception {
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
            // Left open: only the header tells the client not to reuse it.
            c.readHead();
        });

        call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));
        call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));

        assertEquals(2, raw.accepted());
    }

    @Test
    void headAnd204And304HaveNoBodyAndKeepTheConnection() throws Exception {
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

        CollectingSink head = call("HEAD", raw.uri("/").toString(), Map.of(), new byte[0]);
        CollectingSink noContent = call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));
        CollectingSink notModified = call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));
        CollectingSink last = call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));

        assertEquals(0, head.body.size());
        assertEquals(List.of("10"), head.header("Content-Length"));
        assertEquals(204, noContent.head.statusCode);
        assertEquals(0, noContent.body.size());
        assertEquals(304, notModified.head.statusCode);
        assertEquals(0, notModified.body.size());
        assertEquals("last", last.bodyText());
        assertEquals(1, raw.accepted());
    }

    @Test
    void interimResponsesAreNotRelayed() throws Exception {
        raw = new RawServer(c -> {
            String head = c.readHead();
            // Unasked for (the agent sends no Expect), which a client must still read past.
            c.send("HTTP/1.1 100 Continue\r\n\r\n");
            c.readBody(head, new ByteArrayOutputStream());
            c.send("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
        });

        CollectingSink sink = call("POST", raw.uri("/").toString(), Map.of("Expect", List.of("100-continue")), bytes("x"));

        assertEquals(200, sink.head.statusCode);
        assertEquals(List.of(), sink.header("Link"));
        assertEquals("done", sink.bodyText());
    }

    @Test
    void redirectsAuthenticationChallengesCookiesAndEncodingsPassThroughUntouched() throws Exception {
        BlockingQueue<String> heads = new LinkedBlockingQueue<>();
        raw = new RawServer(c -> {
            String head = c.readHead();
            heads.add(head);
            c.send("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n");
            heads.add(c.readHead());
            c.send("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n");
            heads.add(c.readHead());
            c.send("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc");
        });

        CollectingSink redirect = call("GET", raw.uri("/").toString(), Map.of(), new byte[0]);
        CollectingSink challenge = call("GET", raw.uri("/").toString(), Map.of(), new byte[0]);
        CollectingSink encoded = call("GET", raw.uri("/").toString(), Map.of(), new byte[0]);

        assertEquals(302, redirect.head.statusCode);
        assertEquals(List.of("s=1"), redirect.header("Set-Cookie"));
        assertEquals(401, challenge.head.statusCode);
        assertEquals("abc", encoded.bodyText());
        assertEquals(List.of("gzip"), encoded.header("Content-Encoding"));
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("Host: 127.0.0.1:" + raw.port()), headerLines(heads.take()), "no cookie, no credentials");
        }
        assertEquals(1, raw.accepted());
    }

    @Test
    void aResponseThatBreaksMidBodyAbortsTheRelayRatherThanEndingIt() throws Exception {
        raw = new RawServer(c -> {
            c.readHead();
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nabc");
            c.socket.close();
        });
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", raw.uri("/").toString(), Map.of(), 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        assertTrue(sink.aborted.get(10, TimeUnit.SECONDS).startsWith("response body failed"), sink.abortReason);
        assertFalse(sink.done.isDone());
    }

    @Test
    void aSmallBodyThatBreaksBeforeItsEndAbortsTheRelay() throws Exception {
        raw = new RawServer(c -> {
            c.readHead();
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            c.socket.close();
        });
        CollectingSink sink = new CollectingSink();

        forwarder.start(head("GET", raw.uri("/").toString(), Map.of(), 0), sink).onBodyFrame(ByteBuffer.allocate(0), true);

        sink.aborted.get(10, TimeUnit.SECONDS);
        assertFalse(sink.done.isDone());
    }

    @Test
    void aPooledConnectionClosedByTheDestinationIsNotUsed() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        raw = new RawServer(c -> {
            c.readBody(c.readHead(), new ByteArrayOutputStream());
            c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            if (c.number == 1) {
                c.socket.close();
                firstClosed.countDown();
            }
        });
        call("POST", raw.uri("/").toString(), Map.of(), bytes("x"));
        assertTrue(firstClosed.await(5, TimeUnit.SECONDS));
        // Jetty drops the connection when its selector reads the close; a request sent before
        // that races the close, as with any HTTP/1.1 client, so wait for the drop itself.
        awaitNoPooledConnection(forwarder);

        CollectingSink second = call("POST", raw.uri("/").toString(), Map.of(), bytes("y"));

        assertEquals("ok", second.bodyText());
        assertEquals(2, raw.accepted());
    }

    @Test
    void aPooledConnectionServesOnlyRequestsCheckedForItsAddress() throws Exception {
        raw = new RawServer(c -> {
            while (c.readHead() != null) {
                c.send("HTTP/1.1 204 No Content\r\n\r\n");
            }
        });
        AtomicReference<InetAddress> resolvesTo = new AtomicReference<>(InetAddress.getLoopbackAddress());
        forwarder.close();
        forwarder = new Forwarder(new DestinationGuard(new RuleSet(List.of(Rule.ofCidr("127.0.0.0/8")), List.of()), false,
                host -> new InetAddress[] {resolvesTo.get()}), TIMEOUT, TIMEOUT);
        String named = "http://api.invalid:" + raw.port() + "/";
        assertEquals(204, call("GET", named, Map.of(), new byte[0]).head.statusCode);

        // Nothing listens on 127.0.0.2: reusing the idle connection to 127.0.0.1 would have worked.
        resolvesTo.set(InetAddress.getByName("127.0.0.2"));
        CollectingSink moved = call("GET", named, Map.of(), new byte[0]);

        assertEquals(WspProtocol.AGENT_ERROR_STATUS, moved.head.statusCode);
        assertEquals("unable to execute request: connection refused", moved.bodyText());
        assertEquals(1, raw.accepted());
    }

    @Test
    void aHeaderValueWithALineBreakIsAnswered527WithoutAnyConnection() throws Exception {
        raw = new RawServer(c -> c.readHead());

        CollectingSink sink = call("POST", raw.uri("/").toString(), Map.of("X-A", List.of("a\r\nX-Injected: 1")), bytes("x"));

        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals("invalid header value", sink.bodyText());
        assertEquals(0, raw.accepted());
        assertNull(sink.abortReason);
    }

    /** One request through the forwarder, its body in one frame; waits for the whole response. */
    private CollectingSink call(String method, String url, Map<String, List<String>> headers, byte[] body) throws Exception {
        CollectingSink sink = new CollectingSink();
        Exchange exchange = forwarder.start(head(method, url, headers, method.equals("PUT") ? WspProtocol.UNKNOWN_LENGTH : body.length), sink);
        if (method.equals("PUT")) {
            // Two frames of unknown length: the body goes out chunked.
            exchange.onBodyFrame(ByteBuffer.wrap(body, 0, body.length / 2), false);
            exchange.onBodyFrame(ByteBuffer.wrap(body, body.length / 2, body.length - body.length / 2), true);
        } else {
            exchange.onBodyFrame(ByteBuffer.wrap(body), true);
        }
        sink.awaitDone();
        awaitNoActiveConnection(forwarder);
        return sink;
    }

    /**
     * Jetty gives a connection back to its pool once it completed the exchange, which may be just
     * after the response's last frame went out: the next call may only expect to reuse it then.
     */
    static void awaitNoActiveConnection(Forwarder forwarder) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (forwarder.client().getDestinations().stream()
                .anyMatch(d -> ((AbstractConnectionPool) d.getConnectionPool()).getActiveConnectionCount() > 0)) {
            assertTrue(System.nanoTime() < deadline, "a connection stayed active after its response");
            Thread.onSpinWait();
        }
    }

    /** Jetty has noticed every pooled connection's close and dropped it. */
    private static void awaitNoPooledConnection(Forwarder forwarder) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (forwarder.client().getDestinations().stream()
                .anyMatch(d -> ((AbstractConnectionPool) d.getConnectionPool()).getConnectionCount() > 0)) {
            assertTrue(System.nanoTime() < deadline, "a connection the destination closed stayed in the pool");
            Thread.onSpinWait();
        }
    }

    private static RequestHead head(String method, String url, Map<String, List<String>> headers, long length) {
        return new RequestHead(method, url, new LinkedHashMap<>(headers), length);
    }

    /** The header lines of a request head, sorted: Jetty chooses the order. */
    private static List<String> headerLines(String head) {
        int end = head.indexOf("\r\n\r\n");
        String[] lines = (end < 0 ? head : head.substring(0, end)).split("\r\n");
        return java.util.Arrays.stream(lines, 1, lines.length).sorted().toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
