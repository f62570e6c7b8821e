package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile and broken input: a rogue agent (the JDK's WebSocket client, driven by hand) breaks the
 * protocol next to a real, well-behaved agent, and callers send what wsp must refuse. Each time the
 * offender gets a precise answer, and the good agent's pool keeps serving.
 */
@ExtendWith(ArquillianExtension.class)
class HostileIT {

    private static final int MAX_HEADER_BYTES = 4096;
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final String GOOD = "good";
    private static final int GOOD_POOL = 2;

    private static InternalApi api;

    @ArquillianResource
    private URL deployment;

    private WspServer wsp;
    private Agent good;

    /** Limits of its own, so the 1 GiB bodies of the other test classes are not limited. */
    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.wspWithConfig("maxHeaderBytes: " + MAX_HEADER_BYTES + "\nmaxRequestBodyBytes: " + MAX_BODY_BYTES + "\n");
    }

    @BeforeAll
    static void startInternalApi() throws IOException {
        api = new InternalApi();
    }

    @AfterAll
    static void stopInternalApi() {
        api.close();
    }

    @BeforeEach
    void startGoodAgent() throws Exception {
        wsp = new WspServer(deployment);
        api.forgetBrokenTransfers();
        good = Agent.start(AgentConfig.builder().id(GOOD).server(wsp.registerUrl()).secretKey(WspServer.SECRET).allowCidr("127.0.0.1")
                .poolIdleSize(GOOD_POOL).poolMaxSize(4).build());
        wsp.awaitIdle(GOOD, GOOD_POOL);
    }

    @AfterEach
    void stopGoodAgent() throws Exception {
        good.close();
        wsp.awaitNoAgents();
    }

    @Test
    void malformedGreetingsCloseOnlyThatConnectionWith1002AndTheReason() throws Exception {
        List<List<String>> cases = List.of(
                List.of("no-separator", "greeting must be <id>_<poolIdleSize>"),
                List.of("rogue_x", "greeting has an invalid pool size"),
                List.of("rogue_-1", "greeting has an invalid pool size"),
                List.of("rogue_123456", "greeting has an invalid pool size"),
                List.of("rogue_99999", "greeting pool size above 10000"),
                List.of("_1", "greeting has an invalid agent id"),
                List.of("rog ue_1", "greeting has an invalid agent id"),
                List.of("r\u00e9gue_1", "greeting has an invalid agent id"),
                List.of("rogue\u0000_1", "greeting has an invalid agent id"),
                List.of("x".repeat(10 * 1024) + "_1", "greeting missing or too long"));
        for (List<String> c : cases) {
            try (RogueAgent rogue = RogueAgent.connect(wsp)) {
                rogue.sendText(c.get(0));
                assertEquals("1002 " + c.get(1), rogue.awaitClose(), c.get(0));
            }
        }
        try (RogueAgent rogue = RogueAgent.connect(wsp)) {
            rogue.sendBinary(new byte[] {1, 2, 3});
            assertEquals("1002 greeting expected", rogue.awaitClose());
        }
        assertEquals(1, wsp.status().getJsonArray("agents").size(), "only the good agent ever registered");
        assertGoodAgentServes();
    }

    @Test
    void messagesOnAnIdleConnectionClose1002() throws Exception {
        try (RogueAgent rogue = registeredRogue()) {
            rogue.sendText("{\"StatusCode\":200}");
            assertEquals("1002 text message on an idle connection", rogue.awaitClose());
        }
        wsp.awaitGone("rogue");
        try (RogueAgent rogue = registeredRogue()) {
            rogue.sendBinary(new byte[] {1});
            assertEquals("1002 binary message on an idle connection", rogue.awaitClose());
        }
        wsp.awaitGone("rogue");
        assertGoodAgentServes();
    }

    @Test
    void aBrokenResponseHeadIs502ForTheCallerAnd1002ForTheAgent() throws Exception {
        List<List<String>> cases = List.of(
                List.of("{not json", "head is not valid JSON"),
                List.of("[200]", "head is not valid JSON"),
                List.of("{\"StatusCode\":\"abc\"}", "head is not valid JSON"),
                List.of("{\"StatusCode\":0}", "response head has an invalid status code 0"),
                List.of("{\"StatusCode\":99}", "response head has an invalid status code 99"),
                List.of("{\"StatusCode\":100}", "response head has an invalid status code 100"),
                List.of("{\"StatusCode\":1000}", "response head has an invalid status code 1000"),
                List.of("{\"StatusCode\":200,\"Header\":{\"X-A\\r\\nSet-Cookie\":[\"a\"]}}", "invalid header name"),
                List.of("{\"StatusCode\":200,\"Header\":{\"X-A\":[\"a\\r\\nSet-Cookie: b\"]}}", "invalid value for header X-A"),
                List.of("{\"StatusCode\":200,\"Header\":{\"X-A\":[\"" + "a".repeat(MAX_HEADER_BYTES) + "\"]}}",
                        "response head larger than " + MAX_HEADER_BYTES + " bytes"));
        for (List<String> c : cases) {
            try (RogueAgent rogue = registeredRogue()) {
                CompletableFuture<HttpResponse<String>> caller = callRogue(rogue);
                rogue.sendText(c.get(0));
                assertProblem(caller.get(30, TimeUnit.SECONDS), 502, "Agent protocol error", c.get(1));
                assertEquals("1002 " + c.get(1), rogue.awaitClose(), c.get(0));
            }
            wsp.awaitGone("rogue");
        }
        assertGoodAgentServes();
    }

    @Test
    void aTextMessageWhereTheBodyBelongsIs502And1002() throws Exception {
        try (RogueAgent rogue = registeredRogue()) {
            CompletableFuture<HttpResponse<String>> caller = callRogue(rogue);
            rogue.sendText("{\"StatusCode\":200,\"Header\":{\"X-Rogue\":[\"1\"]},\"ContentLength\":5}").sendText("hello");
            HttpResponse<String> r = caller.get(30, TimeUnit.SECONDS);
            assertProblem(r, 502, "Agent protocol error", "second response head for one request");
            assertTrue(r.headers().firstValue("X-Rogue").isEmpty(), "the agent's first head is not on wsp's error");
            assertTrue(r.headers().firstValue("X-Request-Id").isPresent());
            assertEquals("1002 second response head for one request", rogue.awaitClose());
        }
        wsp.awaitGone("rogue");
        try (RogueAgent rogue = registeredRogue()) {
            CompletableFuture<HttpResponse<String>> caller = callRogue(rogue);
            rogue.sendBinary("hello".getBytes());
            assertProblem(caller.get(30, TimeUnit.SECONDS), 502, "Agent protocol error", "response body before the response head");
            assertEquals("1002 response body before the response head", rogue.awaitClose());
        }
        wsp.awaitGone("rogue");
        assertGoodAgentServes();
    }

    /**
     * Frames RFC 6455 forbids are the container's WebSocket implementation's to refuse, not wsp's
     * code: whatever it answers, that connection ends, never registers, and nothing else is disturbed.
     */
    @Test
    void brokenFramesEndOnlyTheirOwnConnection() throws Exception {
        List<byte[]> frames = List.of(
                new byte[] {(byte) 0xC1, (byte) 0x80, 1, 2, 3, 4},              // RSV1 set, no extension agreed
                new byte[] {(byte) 0x81, 0x01, 'x'},                              // a client frame not masked
                new byte[] {(byte) 0x83, (byte) 0x80, 1, 2, 3, 4},              // opcode 3 is reserved
                new byte[] {(byte) 0x09, (byte) 0x80, 1, 2, 3, 4},              // a fragmented ping
                new byte[] {(byte) 0x80, (byte) 0x80, 1, 2, 3, 4});             // a continuation of nothing
        for (byte[] frame : frames) {
            URI register = URI.create(wsp.registerUrl());
            try (Socket socket = new Socket(register.getHost(), register.getPort())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + register.getRawPath() + " HTTP/1.1\r\nHost: " + register.getAuthority()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\nX-SECRET-KEY: " + WspServer.SECRET + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    assertTrue(b >= 0, "connection closed in the handshake: " + head);
                    head.append((char) b);
                }
                assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
                out.write(frame);
                out.flush();
                // Read to the end: a close frame or not, the server must end this connection.
                assertTrue(in.transferTo(OutputStream.nullOutputStream()) >= 0);
            }
        }
        assertEquals(1, wsp.status().getJsonArray("agents").size(), "only the good agent ever registered");
        assertGoodAgentServes();
    }

    @Test
    void aHeaderSectionOverTheLimitIs431BeforeAnythingElse() throws Exception {
        HttpResponse<String> r = wsp.send(wsp.request(api.url("/echo")).header("X-Big", "b".repeat(MAX_HEADER_BYTES)).build());
        assertProblem(r, 431, "Request header fields too large",
                "the request's header section is larger than " + MAX_HEADER_BYTES + " bytes");
        assertGoodAgentServes();
    }

    @Test
    void destinationsThatAreNotPlainHttpUrlsAre400() throws Exception {
        List<List<String>> cases = List.of(
                List.of("file:///etc/passwd", "X-PROXY-DESTINATION must be an http or https URL"),
                List.of("gopher://127.0.0.1/", "X-PROXY-DESTINATION must be an http or https URL"),
                List.of(api.url("/echo").replace("://", "://user:secret@"), "X-PROXY-DESTINATION must not contain user info"),
                List.of(api.url("/echo") + " x", "X-PROXY-DESTINATION contains whitespace or control characters"));
        for (List<String> c : cases) {
            assertProblem(wsp.send(wsp.request(c.get(0)).build()), 400, "Invalid destination", c.get(1));
        }
        assertGoodAgentServes();
    }

    @Test
    void aBodyOfKnownLengthOverTheLimitIs413AndNeverForwarded() throws Exception {
        for (HttpClient caller : callers()) {
            HttpResponse<String> r = caller.send(wsp.request(api.url("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_BODY_BYTES + 1])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertProblem(r, 413, "Request body too large", "the request body is larger than " + MAX_BODY_BYTES + " bytes");
            assertEquals(GOOD_POOL, wsp.agent(GOOD).orElseThrow().getInt("idle"), "no agent connection was taken");
        }
        assertGoodAgentServes();
    }

    @Test
    void aStreamedBodyOverTheLimitIs413() throws Exception {
        for (HttpClient caller : callers()) {
            HttpResponse<String> atLimit = caller.send(wsp.request(api.url("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(MAX_BODY_BYTES))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, atLimit.statusCode(), atLimit.body());
            assertTrue(atLimit.body().startsWith(MAX_BODY_BYTES + " "), atLimit.body());

            assertProblem(sendOverTheLimit(caller), 413, "Request body too large",
                    "the request body is larger than " + MAX_BODY_BYTES + " bytes");
            assertGoodAgentServes();
        }
    }

    /**
     * The agent hears that its connection closed mid-body and abandons the internal call. Not on
     * WildFly (wsp-it/pom.xml): Undertow sends no close frame while a message it is sending is
     * unfinished, so the agent waits until the connection times out (README, "Deploy to an
     * existing application server").
     */
    @Test
    @Tag("close-during-a-message")
    void aStreamedBodyOverTheLimitClosesItsAgentConnection() throws Exception {
        for (HttpClient caller : callers()) {
            assertEquals(413, sendOverTheLimit(caller).statusCode());
            assertEquals("upload", api.awaitBrokenTransfer(), "the agent abandoned the internal call");
            assertGoodAgentServes();
        }
    }

    /** An upload of unknown length (no Content-Length), twice the limit. */
    private HttpResponse<String> sendOverTheLimit(HttpClient caller) throws IOException, InterruptedException {
        return caller.send(wsp.request(api.url("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(2L * MAX_BODY_BYTES))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Callers over HTTP/1.1 and over HTTP/2 (cleartext upgrade): the container treats unread bodies differently. */
    private static List<HttpClient> callers() {
        return List.of(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), HttpClient.newHttpClient());
    }

    /** A rogue connection that registered as agent "rogue" and waits, idle, for a request. */
    private RogueAgent registeredRogue() throws Exception {
        RogueAgent rogue = RogueAgent.connect(wsp).sendText("rogue_1");
        wsp.awaitIdle("rogue", 1);
        return rogue;
    }

    /** Sends a GET to the rogue agent; returns once the rogue has received all of it. */
    private CompletableFuture<HttpResponse<String>> callRogue(RogueAgent rogue) throws InterruptedException {
        CompletableFuture<HttpResponse<String>> caller = wsp.client.sendAsync(
                wsp.request(api.url("/echo")).header("X-PROXY-AGENT", "rogue").build(), HttpResponse.BodyHandlers.ofString());
        String head = rogue.next();
        assertTrue(head.startsWith("{") && head.contains("\"Method\":\"GET\""), head);
        assertEquals(RogueAgent.BINARY_END, rogue.next(), "the empty request body");
        return caller;
    }

    /** The good agent still answers, and its pool is whole again. */
    private void assertGoodAgentServes() throws Exception {
        HttpResponse<String> r = wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT", GOOD)
                .POST(HttpRequest.BodyPublishers.ofString("still here")).build());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("still here", r.body());
        wsp.awaitIdle(GOOD, GOOD_POOL);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String title, String detail) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                + detail.replace("\"", "\\\"") + "\"}", r.body());
    }
}
