package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import io.wsp.protocol.Labels;
import io.wsp.rules.RuleSet;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
 * The tunnel end to end: a caller, the real WAR on Payara Micro, a real agent (in this JVM) and
 * a real internal API. Each test starts the agents it needs and stops them afterwards.
 */
@ExtendWith(ArquillianExtension.class)
class TunnelIT {

    private static InternalApi api;

    @ArquillianResource
    private URL deployment;

    private WspServer wsp;
    private final TestAgents agents = new TestAgents();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.wsp();
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
    void connect() {
        wsp = new WspServer(deployment);
        api.forgetBrokenTransfers();
        api.forgetHeldRequests();
    }

    @AfterEach
    void stopAgents() throws Exception {
        agents.closeAll(wsp);
    }

    /** An agent allowed to reach the internal API's address, 127.0.0.1, and nothing else. */
    private Agent agent(String id, int poolIdle, int poolMax) throws Exception {
        return agent(id, poolIdle, poolMax, b -> b.allowCidr("127.0.0.1"));
    }

    private Agent agent(String id, int poolIdle, int poolMax, UnaryOperator<AgentConfig.Builder> rules) throws Exception {
        return agents.connected(wsp, id, poolIdle, poolMax, rules);
    }

    @Test
    void getCarriesQueryAndHeadersToTheInternalApiAndBack() throws Exception {
        agent("get", 2, 4);
        HttpResponse<String> r = wsp.send(wsp.request(api.url("/echo?a=1&b=two"))
                .header("X-Custom", "hello").header("Accept", "text/plain").GET().build());
        assertEquals(200, r.statusCode());
        assertEquals("GET", r.headers().firstValue("X-Echo-Method").orElseThrow());
        assertEquals("a=1&b=two", r.headers().firstValue("X-Echo-Query").orElseThrow());
        assertEquals("hello", r.headers().firstValue("X-Echo-X-custom").orElseThrow());
        assertTrue(r.headers().firstValue("X-Echo-X-proxy-destination").isEmpty(),
                "the destination header is for wsp, not for the internal API");
        assertEquals("", r.body());
    }

    @Test
    void theInternalApiSeesForwardingHeadersAndTheRequestId() throws Exception {
        agent("forwarding", 1, 2);
        HttpResponse<String> r = wsp.send(wsp.request(api.url("/echo")).header("X-Forwarded-For", "203.0.113.7").build());
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(id.matches("[0-9a-f-]{36}"), id);
        assertEquals(id, r.headers().firstValue("X-Echo-X-request-id").orElseThrow());
        assertEquals(List.of(id), r.headers().allValues("X-Request-Id"), "one id, not the API's copy as well");
        String forwardedFor = r.headers().firstValue("X-Echo-X-forwarded-for").orElseThrow();
        assertTrue(forwardedFor.startsWith("203.0.113.7, "), forwardedFor);
        assertTrue(java.net.InetAddress.getByName(forwardedFor.substring("203.0.113.7, ".length())).isLoopbackAddress(),
                "the caller's own address is appended: " + forwardedFor);
        assertEquals("http", r.headers().firstValue("X-Echo-X-forwarded-proto").orElseThrow());
        assertEquals(wsp.requestUri().getAuthority(), r.headers().firstValue("X-Echo-X-forwarded-host").orElseThrow());

        HttpResponse<String> kept = wsp.send(wsp.request(api.url("/echo")).header("X-Request-Id", "caller-42").build());
        assertEquals("caller-42", kept.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("caller-42", kept.headers().firstValue("X-Echo-X-request-id").orElseThrow());
        HttpResponse<String> replaced = wsp.send(wsp.request(api.url("/echo")).header("X-Request-Id", "bad id;drop").build());
        assertTrue(replaced.headers().firstValue("X-Request-Id").orElseThrow().matches("[0-9a-f-]{36}"));
    }

    @Test
    void postPutPatchAndDeleteCarryMethodAndBody() throws Exception {
        agent("methods", 2, 4);
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            String body = method + " body \u00e9\u4e2d";
            HttpResponse<String> r = wsp.send(wsp.request(api.url("/echo"))
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
            assertEquals(200, r.statusCode(), method);
            assertEquals(method, r.headers().firstValue("X-Echo-Method").orElseThrow());
            assertEquals(body, r.body(), method);
            assertEquals("text/plain;charset=utf-8", MediaTypes.compact(r.headers().firstValue("Content-Type").orElseThrow()));
            assertEquals(String.valueOf(body.getBytes(StandardCharsets.UTF_8).length),
                    r.headers().firstValue("X-Echo-Content-length").orElseThrow(),
                    "a body of known length reaches the internal API with its Content-Length");
        }
    }

    @Test
    void internalApiStatusCodesPassThroughUnchanged() throws Exception {
        agent("codes", 1, 2);
        for (int code : List.of(201, 404, 500, 503)) {
            HttpResponse<String> r = wsp.send(wsp.request(api.url("/status/" + code)).build());
            assertEquals(code, r.statusCode());
            assertEquals("status " + code + "\n", r.body());
            assertEquals("text/plain", r.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(List.of("internal-api"), r.headers().allValues("Server"), "the API's Server header, alone");
            assertEquals(List.of(), r.headers().allValues("X-Frame-Options"), "none that the API did not send");
        }
        HttpResponse<String> head = wsp.send(wsp.request(api.url("/download?size=100")).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.statusCode());
        assertEquals("100", head.headers().firstValue("Content-Length").orElseThrow(), "HEAD keeps the length of the GET");
        assertEquals("", head.body());
        assertEquals(204, wsp.send(wsp.request(api.url("/status/204")).build()).statusCode());
        // Over HTTP/1.1 the JDK client refuses a 204 with a Content-Length, as RFC 9110 says a server must not send one.
        HttpResponse<String> noContent = wsp.send(wsp.request(api.url("/status/204")).version(HttpClient.Version.HTTP_1_1).build());
        assertEquals(204, noContent.statusCode());
        assertTrue(noContent.headers().firstValue("Content-Length").isEmpty());
    }

    @Test
    void responsesWithoutContentLeaveTheCallersHttp2ConnectionUsable() throws Exception {
        agent("no-content", 1, 2);
        // The JDK client's default: its first request offers h2c, the rest share that HTTP/2
        // connection. A 204 or 304 once made Payara drop the connection about one time in three,
        // so the next request on it failed.
        HttpClient caller = HttpClient.newHttpClient();
        List<String> paths = List.of("/status/204", "/status/304", "/status/200", "/download?size=100&chunked");
        for (int i = 0; i < 32; i++) {
            String path = paths.get(i % paths.size());
            boolean head = path.startsWith("/download");
            HttpRequest.Builder request = wsp.request(api.url(path));
            if (head) {
                // Unknown length (chunked) as well as no content: a HEAD's head is all there is.
                request.method("HEAD", HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = caller.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(head ? 200 : Integer.parseInt(path.substring("/status/".length())), r.statusCode(), "request " + i + " " + path);
            assertEquals(HttpClient.Version.HTTP_2, r.version(), "request " + i);
        }
    }

    @Test
    void multiMebibyteUploadsAndDownloadsKeepTheirSha256OverHttp1AndHttp2() throws Exception {
        agent("bulk", 1, 2);
        long size = 24L * 1024 * 1024 + 7;
        String sha = TestData.sha256Hex(size);
        for (HttpClient.Version version : HttpClient.Version.values()) {
            // The JDK client upgrades to cleartext HTTP/2 after its first request; HTTP/1.1 stays.
            HttpClient caller = HttpClient.newBuilder().version(version).build();
            caller.send(HttpRequest.newBuilder(wsp.requestUri().resolve("status")).build(), HttpResponse.BodyHandlers.discarding());
            for (boolean knownLength : List.of(true, false)) {
                HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(size));
                if (knownLength) {
                    body = HttpRequest.BodyPublishers.fromPublisher(body, size);
                }
                HttpResponse<String> up = caller.send(wsp.request(api.url("/upload")).POST(body).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, up.statusCode(), version + " known length " + knownLength);
                assertEquals(size + " " + sha, up.body(), version + " known length " + knownLength);
            }
            for (String variant : List.of("", "&chunked")) {
                HttpResponse<InputStream> down = caller.send(wsp.request(api.url("/download?size=" + size + variant)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, down.statusCode());
                try (InputStream in = down.body()) {
                    assertEquals(sha, TestData.sha256Hex(in), version + variant);
                }
            }
        }
    }

    @Test
    void refusedUploadsDoNotStallTheCallersConnection() throws Exception {
        // No agent: each upload is refused with 503 before its body is read.
        wsp.awaitNoAgents();
        HttpClient caller = HttpClient.newHttpClient();
        caller.send(HttpRequest.newBuilder(wsp.requestUri().resolve("status")).build(), HttpResponse.BodyHandlers.discarding());
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = caller.sendAsync(wsp.request(api.url("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(256 * 1024))).build(),
                    HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
            assertProblem(r, 503, "no agent");
        }
    }

    /**
     * Not on WildFly (wsp-it/pom.xml): Undertow hands a partial message's data to the endpoint
     * only as its buffer fills or the message ends, so small events wait (README, "Deploy to an
     * existing application server").
     */
    @Test
    @Tag("prompt-partial-messages")
    void serverSentEventsReachTheCallerOneByOne() throws Exception {
        agent("sse", 1, 2);
        HttpResponse<InputStream> r = wsp.client.send(wsp.request(api.url("/sse?events=3")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        RawCaller.assertEventsOneByOne(r, api, 3);
    }

    @Test
    void missingOrMalformedDestinationIs400ProblemJson() throws Exception {
        HttpResponse<String> missing = wsp.send(HttpRequest.newBuilder(wsp.requestUri()).build());
        assertProblem(missing, 400, "missing X-PROXY-DESTINATION");
        for (String bad : List.of("ftp://host/file", "not a url", "http:///nohost", "/relative/path")) {
            assertProblem(wsp.send(wsp.request(bad).build()), 400, "X-PROXY-DESTINATION");
        }
    }

    @Test
    void noAgentConnectedIs503AtOnce() throws Exception {
        wsp.awaitNoAgents();
        assertProblem(wsp.send(wsp.request(api.url("/echo")).build()), 503, "no agent");
    }

    @Test
    void allConnectionsBusyPastTheTimeoutIs503() throws Exception {
        agent("busy", 1, 1);
        CompletableFuture<HttpResponse<String>> held = wsp.client.sendAsync(wsp.request(api.url("/hold")).build(),
                HttpResponse.BodyHandlers.ofString());
        api.awaitHeldRequest();
        HttpResponse<String> second = wsp.send(wsp.request(api.url("/echo")).build());
        assertProblem(second, 503, "busy");
        assertEquals("1", second.headers().firstValue("Retry-After").orElseThrow());
        api.releaseHeld();
        assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void waitingRequestGetsTheConnectionWhenItFreesUp() throws Exception {
        agent("queue", 1, 1);
        CompletableFuture<HttpResponse<String>> held = wsp.client.sendAsync(wsp.request(api.url("/hold")).build(),
                HttpResponse.BodyHandlers.ofString());
        api.awaitHeldRequest();
        CompletableFuture<HttpResponse<String>> waiting = wsp.client.sendAsync(
                wsp.request(api.url("/status/202")).build(), HttpResponse.BodyHandlers.ofString());
        wsp.awaitStatus("the held request on the only connection", s -> busy(s, "queue") == 1);
        api.releaseHeld();
        assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
        // wsp.timeout is 1 s: the release above comes well within it on any machine that booted Payara.
        assertEquals(202, waiting.get(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void noResponseHeadWithinTheResponseTimeoutIs504() throws Exception {
        agent("silent", 1, 1);
        long start = System.nanoTime();
        // arquillian.xml sets wsp.responseTimeout to 5 s; /hold answers only when released.
        HttpResponse<String> r = wsp.send(wsp.request(api.url("/hold")).build());
        assertProblem(r, 504, "no response head");
        assertTrue(System.nanoTime() - start >= java.time.Duration.ofSeconds(5).toNanos(), "not before the timeout");
        api.releaseHeld();
        // The late answer must not reach the next request: that connection was closed.
        awaitReplaced("silent");
        HttpResponse<String> next = wsp.send(wsp.request(api.url("/status/201")).build());
        assertEquals(201, next.statusCode());
    }

    @Test
    void aResponseBodyThatStopsMovingIsAbortedAfterTheBodyIdleTimeout() throws Exception {
        agent("stalled", 1, 1);
        HttpResponse<InputStream> r = wsp.client.send(wsp.request(api.url("/stall")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream body = r.body()) {
            assertEquals(1024, body.readNBytes(1024).length);
            // arquillian.xml sets wsp.bodyIdleTimeout to 6 s: then the caller sees a broken body.
            assertThrows(IOException.class, () -> body.transferTo(java.io.OutputStream.nullOutputStream()));
        }
        api.releaseHeld();
        awaitReplaced("stalled");
        assertEquals(200, wsp.send(wsp.request(api.url("/status/200")).build()).statusCode());
    }

    @Test
    void unreachableDestinationIs502WithTheAgentsReason() throws Exception {
        agent("unreachable", 1, 2);
        HttpResponse<String> r = wsp.send(wsp.request("http://127.0.0.1:1/nothing-listens-here").build());
        assertProblem(r, 502, "");
        assertTrue(r.body().toLowerCase().contains("connect"), r.body());
        // The connection is in sync afterwards: the next request works.
        assertEquals(200, wsp.send(wsp.request(api.url("/status/200")).build()).statusCode());
    }

    @Test
    void anAgentWithoutAllowRulesRefusesEveryRequestWith403() throws Exception {
        agent("closed", 1, 1, b -> b);
        int seen = api.requestsSeen();

        HttpResponse<String> r = wsp.send(wsp.request(api.url("/status/200")).build());

        assertProblem(r, 403, "the agent's rules do not allow this destination");
        assertTrue(r.body().contains("\"title\":\"Destination forbidden by the agent\""), r.body());
        assertEquals(seen, api.requestsSeen(), "nothing reached the internal API");
    }

    @Test
    void allowAllForwardsWhatNoBlacklistRuleDenies() throws Exception {
        agent("open", 1, 1, b -> b.allowAll(true));

        assertEquals(201, wsp.send(wsp.request(api.url("/status/201")).build()).statusCode());
    }

    @Test
    void aCidrBlacklistRefusesANameThatResolvesIntoIt() throws Exception {
        agent("no-loopback", 1, 1, b -> b.allowAll(true)
                .rules(RuleSet.fromConfig(null, List.of(Map.of("cidr", "127.0.0.0/8")))));
        int seen = api.requestsSeen();

        assertProblem(wsp.send(wsp.request(api.urlByName("/status/200")).build()), 403, "agent's rules");
        assertProblem(wsp.send(wsp.request(api.url("/status/200")).build()), 403, "agent's rules");
        assertEquals(seen, api.requestsSeen());
    }

    @Test
    void aCidrWhitelistAdmitsANameOnlyWhenItResolvesIntoTheRange() throws Exception {
        agent("only-127-0-0-2", 1, 1, b -> b.allowCidr("127.0.0.2"));
        int seen = api.requestsSeen();

        assertProblem(wsp.send(wsp.request(api.urlByName("/status/200")).build()), 403, "agent's rules");
        assertEquals(seen, api.requestsSeen());
    }

    @Test
    void aNameIsCalledAtItsCheckedAddressWithItsOwnHostHeader() throws Exception {
        agent("by-name", 1, 1);
        String named = api.urlByName("/echo");

        HttpResponse<String> r = wsp.send(wsp.request(named).build());

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(URI.create(named).getAuthority(), r.headers().firstValue("X-Echo-Host").orElseThrow());
    }

    @Test
    void linkLocalAndMetadataAddressesAreRefusedEvenWithAllowAll() throws Exception {
        agent("cloud", 1, 1, b -> b.allowAll(true));
        for (String metadata : List.of("http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/",
                "http://[fd00:ec2::254]/latest/meta-data/")) {
            // 403 at once: a connection attempt would have ended in 502 (refused or timed out).
            assertProblem(wsp.send(wsp.request(metadata).build()), 403, "agent's rules");
        }
    }

    @Test
    void aRefusedUploadIsDrainedAndTheSameConnectionServesTheNextRequest() throws Exception {
        // One connection only: the next request must ride the one that carried the refused upload.
        agent("drained", 1, 1, b -> b.allowCidr("127.0.0.1")
                .rules(RuleSet.fromConfig(null, List.of(Map.of("url", "/upload$")))));
        int seen = api.requestsSeen();
        long size = 8L * 1024 * 1024;

        // HTTP/1.1: what is under test is the agent's side, not a cleartext HTTP/2 upgrade carrying a body.
        HttpClient caller = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> refused = caller.send(wsp.request(api.url("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(size))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertProblem(refused, 403, "agent's rules");
        HttpResponse<String> next = caller.send(wsp.request(api.url("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("still in step")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, next.statusCode(), next.body());
        assertEquals("still in step", next.body());
        assertEquals(seen + 1, api.requestsSeen(), "only the echo reached the internal API");
    }

    @Test
    void agentLostBeforeTheResponseHeadIs502() throws Exception {
        Agent agent = agent("lost", 1, 1);
        CompletableFuture<HttpResponse<String>> held = wsp.client.sendAsync(wsp.request(api.url("/hold")).build(),
                HttpResponse.BodyHandlers.ofString());
        api.awaitHeldRequest();
        agent.close();
        assertProblem(held.get(30, TimeUnit.SECONDS), 502, "agent connection");
        api.releaseHeld();
    }

    @Test
    void agentLostAfterTheHeadAbortsTheCallersResponse() throws Exception {
        agent("bystander", 1, 1);
        long uploadSize = 8L * 1024 * 1024;
        String uploadSha = TestData.sha256Hex(uploadSize);
        for (String variant : List.of("", "&chunked")) {
            Agent agent = agent("midstream", 1, 1);
            long size = 4L * 1024 * 1024 * 1024;
            HttpResponse<InputStream> r = wsp.client.send(
                    wsp.request(api.url("/download?size=" + size + variant)).header("X-PROXY-AGENT", "midstream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            try (InputStream body = r.body()) {
                assertTrue(body.readNBytes(1024).length == 1024);
                agent.close();
                // Aborting once stalled other HTTP/2 callers until the aborted connection closed.
                for (int i = 0; i < 2; i++) {
                    HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
                    other.send(HttpRequest.newBuilder(wsp.requestUri().resolve("status")).build(), HttpResponse.BodyHandlers.discarding());
                    HttpResponse<String> up = other.send(wsp.request(api.url("/upload")).header("X-PROXY-AGENT", "bystander")
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(uploadSize))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(HttpClient.Version.HTTP_2, up.version());
                    assertEquals(uploadSize + " " + uploadSha, up.body(), "an upload while another response is aborted");
                }
                IOException broken = assertThrows(IOException.class, () -> body.transferTo(java.io.OutputStream.nullOutputStream()),
                        "a response cut short must end in an error, never look complete" + variant);
                assertTrue(broken.getMessage() != null || broken.getCause() != null);
            }
            agents.forget(agent);
            wsp.awaitGone("midstream");
        }
    }

    @Test
    void callerLeavingMidDownloadCancelsTheInternalCall() throws Exception {
        agent("leaver", 1, 1);
        URI request = wsp.requestUri();
        try (java.net.Socket caller = new java.net.Socket(request.getHost(), request.getPort())) {
            caller.getOutputStream().write(("GET " + request.getRawPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "X-PROXY-DESTINATION: " + api.url("/download?size=" + (8L << 30) + "&chunked") + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(caller.getInputStream().readNBytes(64 * 1024).length == 64 * 1024);
        }
        assertEquals("download", api.awaitBrokenTransfer());
        // The connection that carried it was closed, not reused half-way; the pool refills.
        awaitReplaced("leaver");
        assertEquals(200, wsp.send(wsp.request(api.url("/status/200")).build()).statusCode());
    }

    @Test
    void callerLeavingMidUploadCancelsTheInternalCall() throws Exception {
        agent("dropper", 1, 1);
        URI request = wsp.requestUri();
        try (java.net.Socket caller = new java.net.Socket(request.getHost(), request.getPort())) {
            java.io.OutputStream out = caller.getOutputStream();
            out.write(("POST " + request.getRawPath() + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (1L << 30)
                    + "\r\nX-PROXY-DESTINATION: " + api.url("/upload") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            TestData.write(4L * 1024 * 1024, out);
            out.flush();
            wsp.awaitStatus("the upload in flight", s -> busy(s, "dropper") == 1);
        }
        assertEquals("upload", api.awaitBrokenTransfer());
        awaitReplaced("dropper");
        assertEquals(200, wsp.send(wsp.request(api.url("/status/200")).build()).statusCode());
    }

    @Test
    void wrongSecretKeyIsRefusedWith401BeforeTheUpgrade() throws Exception {
        for (String key : List.of("wrong", "")) {
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
            if (!key.isEmpty()) {
                builder.header("X-SECRET-KEY", key);
            }
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> builder.buildAsync(URI.create(wsp.registerUrl()), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS));
            WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(401, refused.getResponse().statusCode());
        }
        agents.start(AgentConfig.builder().id("intruder").server(wsp.registerUrl())
                .secretKey("not-the-secret").poolIdleSize(1).poolMaxSize(1).build());
        agent("rightful", 1, 1);
        assertTrue(wsp.agent("intruder").isEmpty(), "an agent with a wrong key never registers");
    }

    @Test
    void withoutCallerKeysStatusSaysCallerAuthIsOff() throws Exception {
        JsonObject security = wsp.status().getJsonObject("security");
        assertEquals("off", security.getString("callerAuth"));
        assertEquals(0, security.getInt("callerKeys"));
        assertTrue(security.getBoolean("sharedAgentKey"));
    }

    @Test
    void xProxyAgentPicksTheAgentAndAnAbsentOneIs503() throws Exception {
        agent("left", 2, 2);
        agent("right", 2, 2);
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(wsp.client.sendAsync(wsp.request(api.url("/hold?to=left" + i)).header("X-PROXY-AGENT", "left").build(),
                    HttpResponse.BodyHandlers.ofString()));
            api.awaitHeldRequest();
        }
        JsonObject status = wsp.status();
        assertEquals(2, busy(status, "left"));
        assertEquals(0, busy(status, "right"), "fewest in flight would have picked right: the header won");
        assertProblem(wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT", "nobody").build()), 503,
                "agent 'nobody' is not connected");
        assertProblem(wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT", "two words").build()), 400,
                "X-PROXY-AGENT");
        HttpResponse<String> viaRight = wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT", "right").build());
        assertEquals(200, viaRight.statusCode());
        assertTrue(viaRight.headers().firstValue("X-Echo-X-proxy-agent").isEmpty(), "the routing header stays at wsp");
        api.releaseHeld();
        api.releaseHeld();
        for (CompletableFuture<HttpResponse<String>> h : held) {
            assertEquals(200, h.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void xProxyAgentSelectorPicksAgentsByLabelAndNamesWhatWasAskedWhenNoneMatches() throws Exception {
        agent("eu-prod", 2, 2, b -> b.allowCidr("127.0.0.1").labels(Labels.parse("env=prod,region=eu")));
        agent("us-test", 2, 2, b -> b.allowCidr("127.0.0.1").labels(Labels.parse("env=test,region=us")));
        JsonObject labels = wsp.agent("eu-prod").orElseThrow().getJsonObject("labels");
        assertEquals("prod", labels.getString("env"));
        assertEquals("eu", labels.getString("region"));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(wsp.client.sendAsync(wsp.request(api.url("/hold?to=prod" + i))
                    .header("X-PROXY-AGENT-SELECTOR", "env=prod").build(), HttpResponse.BodyHandlers.ofString()));
            api.awaitHeldRequest();
        }
        JsonObject status = wsp.status();
        assertEquals(2, busy(status, "eu-prod"));
        assertEquals(0, busy(status, "us-test"), "fewest in flight would have picked us-test: the selector won");
        assertProblem(wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT-SELECTOR", "env=staging").build()),
                503, "no connected agent has labels env=staging");
        assertProblem(wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT", "us-test")
                .header("X-PROXY-AGENT-SELECTOR", "env=prod").build()), 503, "agent 'us-test' with labels env=prod");
        assertProblem(wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT-SELECTOR", "env").build()), 400,
                "X-PROXY-AGENT-SELECTOR");
        HttpResponse<String> viaUs = wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT-SELECTOR", "region=us").build());
        assertEquals(200, viaUs.statusCode());
        assertTrue(viaUs.headers().firstValue("X-Echo-X-proxy-agent-selector").isEmpty(), "the selector stays at wsp");
        api.releaseHeld();
        api.releaseHeld();
        for (CompletableFuture<HttpResponse<String>> h : held) {
            assertEquals(200, h.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void anAgentWithMalformedLabelsIsRefusedWith400BeforeTheUpgrade() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> HttpClient.newHttpClient().newWebSocketBuilder()
                .header("X-SECRET-KEY", WspServer.SECRET).header("X-PROXY-AGENT-LABELS", "env=pr od")
                .buildAsync(URI.create(wsp.registerUrl()), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS));
        assertEquals(400, assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse().statusCode());
    }

    @Test
    void aRequestThatIsNoWebSocketHandshakeIs400() throws Exception {
        URI register = URI.create("http" + wsp.registerUrl().substring("ws".length()));
        HttpResponse<String> get = wsp.client.send(HttpRequest.newBuilder(register).header("X-SECRET-KEY", WspServer.SECRET)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, get.statusCode());
        assertEquals("Upgrade: websocket expected\n", get.body());
        HttpResponse<String> post = wsp.client.send(HttpRequest.newBuilder(register)
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, post.statusCode());
        assertEquals("a WebSocket handshake is a GET\n", post.body());
    }

    /** Each handshake's checked data (labels, address) reaches its own connection, however many arrive at once. */
    @Test
    void agentsRegisteringAtOnceEachKeepTheirOwnLabels() throws Exception {
        int count = 6;
        int pool = 4;
        for (int i = 0; i < count; i++) {
            Labels labels = Labels.parse("n=" + i);
            agents.start(AgentConfig.builder().id("crowd-" + i).server(wsp.registerUrl()).secretKey(WspServer.SECRET)
                    .allowCidr("127.0.0.1").labels(labels).poolIdleSize(pool).poolMaxSize(pool).build());
        }
        for (int i = 0; i < count; i++) {
            wsp.awaitIdle("crowd-" + i, pool);
        }
        for (int i = 0; i < count; i++) {
            JsonObject agent = wsp.agent("crowd-" + i).orElseThrow();
            assertEquals(String.valueOf(i), agent.getJsonObject("labels").getString("n"), agent.toString());
            assertTrue(java.net.InetAddress.getByName(agent.getString("remoteAddress")).isLoopbackAddress(), agent.toString());
            HttpResponse<String> r = wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT-SELECTOR", "n=" + i)
                    .header("X-PROXY-AGENT", "crowd-" + i).build());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @Test
    void theAgentsAdminPortReportsHealthAndCountsWhatItAnswered() throws Exception {
        Agent agent = agent("admin", 2, 2, b -> b.allowCidr("127.0.0.1").adminPort(0));
        URI admin = URI.create("http://127.0.0.1:" + agent.adminPort() + "/");
        assertEquals(200, wsp.client.send(HttpRequest.newBuilder(admin.resolve("health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(200, wsp.send(wsp.request(api.url("/status/200")).build()).statusCode());
        assertEquals(404, wsp.send(wsp.request(api.url("/status/404")).build()).statusCode());
        // The agent counts a response once its last frame is sent, which may be a moment after the caller has it.
        List<String> expected = List.of("wsp_agent_responses_total{class=\"2xx\"} 1.0",
                "wsp_agent_responses_total{class=\"4xx\"} 1.0", "wsp_agent_requests_in_flight 0.0",
                "wsp_agent_connections{server=\"" + wsp.registerUrl() + "\"} 2.0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String metrics;
        do {
            metrics = wsp.client.send(HttpRequest.newBuilder(admin.resolve("metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } while (!metrics.lines().toList().containsAll(expected) && System.nanoTime() < deadline && pause());
        List<String> lines = metrics.lines().toList();
        for (String line : expected) {
            assertTrue(lines.contains(line), metrics);
        }
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(50);
        return true;
    }

    @Test
    void twoAgentsShareTheLoad() throws Exception {
        agent("left", 2, 2);
        agent("right", 2, 2);
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(wsp.client.sendAsync(wsp.request(api.url("/hold?n=" + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 4; i++) {
            api.awaitHeldRequest();
        }
        // Four requests in flight at once need both agents: neither has more than two connections.
        JsonObject status = wsp.status();
        assertEquals(2, busy(status, "left"));
        assertEquals(2, busy(status, "right"));
        assertEquals(4, status.getJsonObject("totals").getInt("busy"));
        for (int i = 0; i < 4; i++) {
            api.releaseHeld();
        }
        for (CompletableFuture<HttpResponse<String>> h : held) {
            assertEquals(200, h.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    /**
     * The agent's closed connection is gone and a new one is idle: busy alone reads 0 also in the
     * moment between the close and the agent's new connection, when a request would find none.
     */
    private void awaitReplaced(String agentId) throws Exception {
        wsp.awaitStatus("the closed connection of " + agentId + " replaced", s -> busy(s, agentId) == 0
                && s.getJsonArray("agents").stream().map(JsonValue::asJsonObject)
                        .anyMatch(a -> a.getString("id").equals(agentId) && a.getInt("idle") >= 1));
    }

    private static int busy(JsonObject status, String agentId) {
        return status.getJsonArray("agents").stream().map(JsonValue::asJsonObject)
                .filter(a -> a.getString("id").equals(agentId)).mapToInt(a -> a.getInt("busy")).findFirst().orElse(-1);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detailPart) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(r.body().contains("\"status\":" + status), r.body());
        assertTrue(r.body().toLowerCase().contains(detailPart.toLowerCase()), r.body());
    }
}
