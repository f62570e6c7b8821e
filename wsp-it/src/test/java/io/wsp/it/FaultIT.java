package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What each fault does to a caller, with real processes: Payara Micro started by the test
 * ({@link PayaraProcess}, so one test can stop it with SIGTERM and start it again on the same
 * port) and agent jars in JVMs of their own ({@link AgentProcess}), killed with SIGKILL where a
 * crash is the fault. Every case asserts the caller's exact outcome (a status, or a response whose
 * read fails) and that the server keeps serving afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultIT {

    /** The agent that stays up throughout: the server must keep serving through it after each fault. */
    private static final String STEADY = "steady";
    /**
     * Shorter than arquillian.xml's, so the hang case is quick; still far above a healthy answer,
     * and far above the agents' 1 s timeouts even on a loaded machine, so theirs fire first.
     */
    private static final String RESPONSE_TIMEOUT_MS = "8000";
    /** Longer than any case needs: the shutdown case releases its request itself. */
    private static final String SHUTDOWN_GRACE_MS = "60000";
    private static final Duration BOUND = Duration.ofSeconds(60);

    private static PayaraProcess payara;
    private static WspServer wsp;
    private static InternalApi api;
    private static AgentProcess steady;
    /** One caller for every case, HTTP/1.1 as most API clients speak it. */
    private static final HttpClient caller = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        api = new InternalApi();
        Path work = Files.createDirectories(Path.of("target", "fault-it-" + System.nanoTime()));
        payara = PayaraProcess.startHttp(work, Map.of(
                "wsp.secretKey", WspServer.SECRET,
                "wsp.timeout", "1000",
                "wsp.responseTimeout", RESPONSE_TIMEOUT_MS,
                "wsp.pingInterval", "2000",
                "wsp.bodyIdleTimeout", "6000",
                "wsp.shutdownGrace", SHUTDOWN_GRACE_MS));
        wsp = new WspServer(payara.httpUrl());
        steady = startAgent(STEADY, 2, 20);
    }

    @AfterEach
    void releaseHeldRequests() {
        api.openAllGates();
    }

    @AfterAll
    static void stop() throws Exception {
        if (steady != null) {
            steady.close();
        }
        if (payara != null) {
            payara.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void anAgentKilledBeforeTheResponseHeadGivesThe502() throws Exception {
        try (AgentProcess victim = startAgent("killed-before-head")) {
            CompletableFuture<HttpResponse<String>> call = caller.sendAsync(
                    request("/hold?gate=killed-before-head", "killed-before-head").build(), BodyHandlers.ofString());
            api.awaitHeldRequest();

            victim.kill();

            assertProblem(call.get(BOUND.toSeconds(), TimeUnit.SECONDS), 502, "Agent connection lost");
        }
        assertStillServing();
    }

    @Test
    void anAgentKilledDuringAChunkedBodyAbortsTheResponse() throws Exception {
        assertKilledMidBodyAborts("killed-chunked", "/stall?gate=killed-chunked", null);
    }

    @Test
    void anAgentKilledDuringAContentLengthBodyAbortsTheResponse() throws Exception {
        assertKilledMidBodyAborts("killed-fixed", "/stall?length=1048576&gate=killed-fixed", "1048576");
    }

    /** Kills agent {@code id} once 1 KiB of the body of {@code path} arrived; null length: chunked. */
    private static void assertKilledMidBodyAborts(String id, String path, String contentLength) throws Exception {
        try (AgentProcess victim = startAgent(id)) {
            HttpResponse<InputStream> r = caller.send(request(path, id).build(), BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertEquals(contentLength, r.headers().firstValue("Content-Length").orElse(null));
            assertEquals(1024, r.body().readNBytes(1024).length);

            victim.kill();

            assertReadFails(r.body());
        }
        assertStillServing();
    }

    /**
     * 502, sent while the caller is still uploading: there is no response head yet when the agent
     * dies, so the server can still answer cleanly. A caller that reads while it sends (as this raw
     * one, or curl) sees the 502 at once; it never has to finish its upload.
     */
    @Test
    void anAgentKilledDuringAnUploadGivesThe502WhileTheCallerIsStillSending() throws Exception {
        try (AgentProcess victim = startAgent("killed-upload");
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), payara.httpPort)) {
            socket.setSoTimeout((int) BOUND.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /request HTTP/1.1\r\nHost: localhost\r\nX-PROXY-DESTINATION: " + api.url("/upload")
                    + "\r\nX-PROXY-AGENT: killed-upload\r\nContent-Length: 1048576\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            api.awaitUploadStarted();

            victim.kill();

            // The caller sends nothing more: the 502 must not wait for the servlet's body read,
            // which ends only at the container's 30 s read timeout.
            socket.setSoTimeout(10_000);
            String head = RawCaller.readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 502 "), head);
            assertTrue(head.toLowerCase().contains("content-type: application/problem+json"), head);
        }
        assertStillServing();
    }

    @Test
    void anInternalApiThatNeverAnswersGivesThe504OfTheServersResponseTimeout() throws Exception {
        HttpResponse<String> r = caller.send(request("/hold?gate=hang", STEADY).build(), BodyHandlers.ofString());
        api.awaitHeldRequest();

        assertProblem(r, 504, "Agent response timeout");
        assertStillServing();
    }

    @Test
    void anInternalApiSlowerThanTheAgentsRequestTimeoutGivesA504NamingIt() throws Exception {
        try (AgentProcess impatient = startAgent("impatient", "--request-timeout", "1")) {
            HttpResponse<String> r = caller.send(request("/hold?gate=slow-api", "impatient").build(), BodyHandlers.ofString());
            api.awaitHeldRequest();

            assertProblem(r, 504, "Internal API response timeout");
            assertTrue(r.body().contains("no response head within 1000 ms"), r.body());
            assertTrue(impatient.awaitLogLine("no response head within 1000 ms").contains(requestId(r)));
        }
        assertStillServing();
    }

    @Test
    void anInternalApiThatCannotBeReachedInTimeGivesA504NamingTheConnect() throws Exception {
        // A listener whose accept queue is full: Linux drops further SYNs, so connecting hangs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket first = new Socket(InetAddress.getLoopbackAddress(), full.getLocalPort());
             Socket second = new Socket(InetAddress.getLoopbackAddress(), full.getLocalPort());
             AgentProcess agent = startAgent("blackholed", "--connect-timeout", "1")) {
            HttpResponse<String> r = caller.send(wsp.request("http://127.0.0.1:" + full.getLocalPort() + "/")
                    .header("X-PROXY-AGENT", "blackholed").build(), BodyHandlers.ofString());

            assertProblem(r, 504, "Internal API connect timeout");
            assertTrue(agent.awaitLogLine("connect timeout").contains(requestId(r)));
        }
        assertStillServing();
    }

    @Test
    void anInternalApiThatClosesMidResponseAbortsTheResponse() throws Exception {
        HttpResponse<InputStream> r = caller.send(request("/cut?length=1048576", STEADY).build(),
                BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("1048576", r.headers().firstValue("Content-Length").orElseThrow());

        assertReadFails(r.body());
        assertStillServing();
    }

    /**
     * 500 requests at once on an agent of at most 20 connections: each one either gets its own
     * echo back or a 503/504 problem, within its bound; none hangs, none gets another's bytes.
     */
    @Test
    void fiveHundredConcurrentRequestsEachGetTheirOwnAnswerOrAClearRefusal() throws Exception {
        int n = 500;
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(caller.sendAsync(echo(STEADY, body(i)), BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(3 * BOUND.toSeconds(), TimeUnit.SECONDS);

        int ok = 0;
        int refused = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = calls.get(i).join();
            if (r.statusCode() == 200) {
                assertEquals(body(i), r.body(), "request " + i + " got another answer");
                ok++;
            } else {
                assertTrue(r.statusCode() == 503 || r.statusCode() == 504, r.statusCode() + " " + r.body());
                assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
                refused++;
            }
        }
        System.out.printf("FaultIT: %d concurrent requests on pool max 20: %d answered, %d refused (503/504)%n", n, ok, refused);
        assertTrue(ok > 0, "not one request went through");
        assertStillServing();
    }

    @Test
    void tenThousandSequentialRequestsOnTwoConnectionsEachGetTheirOwnBody() throws Exception {
        try (AgentProcess pair = startAgent("pair", 2, 2)) {
            Random random = new Random(4);
            long start = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                byte[] body = new byte[random.nextInt(2048)];
                random.nextBytes(body);
                HttpResponse<byte[]> r = caller.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT", "pair")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode(), "request " + i);
                assertTrue(Arrays.equals(body, r.body()), "request " + i + " got another body");
            }
            System.out.printf("FaultIT: 10000 sequential echoes on 2 connections in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertTrue(pair.isAlive());
        }
    }

    /**
     * Runs last: it stops the server. On SIGTERM Payara Micro undeploys wsp: while the request in
     * flight finishes, new requests get 503 (Payara's own page: it marks the application
     * unavailable before wsp's shutdown listener runs); then wsp closes agent connections with 1001
     * and Payara exits. Started again on the same port, it gets its agents back on their own.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void onSigtermTheServerFinishesRequestsInFlightRefusesNewOnesAndAgentsReturnAfterARestart() throws Exception {
        CompletableFuture<HttpResponse<String>> inFlight = caller.sendAsync(request("/hold?gate=drain", STEADY).build(),
                BodyHandlers.ofString());
        api.awaitHeldRequest();

        payara.terminate();

        HttpResponse<String> refused = awaitRefusal();
        assertEquals(503, refused.statusCode());
        assertFalse(inFlight.isDone(), "the request in flight was cut short");
        api.open("drain");
        HttpResponse<String> finished = inFlight.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("released\n", finished.body());
        payara.awaitExit(BOUND);
        assertTrue(steady.awaitLogLine("1001 server stopping").contains("disconnected"));

        PayaraProcess stopped = payara;
        payara = stopped.restart();
        stopped.close();
        long live = System.nanoTime();
        wsp.awaitIdle(STEADY, 1);
        System.out.printf("FaultIT: agent back %d ms after the restarted server answered /health/live%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - live));
        assertStillServing();
    }

    /** New requests until one is refused: the server has begun to stop. */
    private static HttpResponse<String> awaitRefusal() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = caller.send(request("/status/200", STEADY).build(), BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return r;
            }
        }
        throw new AssertionError("the stopping server never refused a request");
    }

    /** An agent with one idle connection (at most two), registered. */
    private static AgentProcess startAgent(String id, String... options) throws IOException, InterruptedException {
        return startAgent(id, 1, 2, options);
    }

    private static AgentProcess startAgent(String id, int poolIdle, int poolMax, String... options)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--server", wsp.registerUrl(), "--id", id,
                "--pool-idle", String.valueOf(poolIdle), "--pool-max", String.valueOf(poolMax), "--allow-cidr", "127.0.0.1"));
        args.addAll(List.of(options));
        AgentProcess agent = AgentProcess.start("64m", WspServer.SECRET, args.toArray(String[]::new));
        wsp.awaitIdle(id, 1);
        return agent;
    }

    private static HttpRequest.Builder request(String pathAndQuery, String agentId) {
        return wsp.request(api.url(pathAndQuery)).header("X-PROXY-AGENT", agentId);
    }

    private static HttpRequest echo(String agentId, String body) {
        return request("/echo", agentId).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Unique per request, so a body delivered to the wrong caller is caught. */
    private static String body(int i) {
        return "request " + i + " of FaultIT " + Integer.toHexString(i * 7919);
    }

    private static void assertStillServing() throws IOException, InterruptedException {
        HttpResponse<String> r = caller.send(request("/status/200", STEADY).build(), BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("status 200\n", r.body());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String title) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains("\"title\":\"" + title + "\""), r.body());
    }

    /** An aborted response: reading it to its end fails; it never ends as a clean, short body. */
    private static void assertReadFails(InputStream body) throws Exception {
        CompletableFuture<Long> read = OwnThread.supply(() -> {
            try (body) {
                return body.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            long n = read.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            fail("the body ended cleanly after " + n + " more bytes");
        } catch (ExecutionException e) {
            assertInstanceOf(UncheckedIOException.class, e.getCause());
        }
    }

    private static String requestId(HttpResponse<?> r) {
        return r.headers().firstValue("X-Request-Id").orElseThrow();
    }
}
