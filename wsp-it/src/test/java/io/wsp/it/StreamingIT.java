package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bodies far larger than either heap: Payara runs with -Xmx256m (arquillian.xml) and the agent jar
 * in its own JVM with -Xmx64m, so a tunnel that held a 1 GiB body anywhere would fail here.
 */
@ExtendWith(ArquillianExtension.class)
class StreamingIT {

    private static final long ONE_GIB = 1L << 30;
    /**
     * What may be under way between the API and a caller that reads slowly: the socket buffers of
     * three loopback connections (Linux grows a receive buffer up to tcp_rmem's maximum, 32 MiB
     * here) and the agent's and the server's own buffers. Measured on Payara: 28 MiB; a tunnel
     * that does not hold the agent back is hundreds of MiB ahead after the slow seconds (WildFly:
     * 265 MiB).
     */
    private static final long HELD_BACK = 128L << 20;

    @ArquillianResource
    private URL deployment;

    private WspServer wsp;
    private InternalApi api;
    private AgentProcess agent;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.wsp();
    }

    @BeforeEach
    void start() throws Exception {
        wsp = new WspServer(deployment);
        api = new InternalApi();
        agent = AgentProcess.start("64m", WspServer.SECRET, "--server", wsp.registerUrl(), "--id", "streamer",
                "--pool-idle", "2", "--pool-max", "4", "--allow", "^http://127\\.0\\.0\\.1:");
        wsp.awaitIdle("streamer", 2);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        api.close();
        wsp.awaitNoAgents();
    }

    @Test
    void aFrozenAgentIsDroppedByPingsAndReturnsWhenThawed() throws Exception {
        agent.signal("STOP");
        try {
            // arquillian.xml pings every 2 s: 4 silent seconds drop each idle connection.
            wsp.awaitNoAgents();
            assertProblem503(wsp.send(wsp.request(api.url("/status/200")).build()));
        } finally {
            agent.signal("CONT");
        }
        wsp.awaitIdle("streamer", 2);
        assertEquals(200, wsp.send(wsp.request(api.url("/status/200")).build()).statusCode());
    }

    private static void assertProblem503(HttpResponse<String> r) {
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("no agent is connected"), r.body());
    }

    @Test
    void onSigtermTheAgentFinishesTheRequestInFlightThenExitsZero() throws Exception {
        CompletableFuture<HttpResponse<String>> held = wsp.client.sendAsync(
                wsp.request(api.url("/hold")).build(), HttpResponse.BodyHandlers.ofString());
        api.awaitHeldRequest();
        CompletableFuture<Integer> exit = OwnThread.supply(() -> {
            try {
                return agent.terminate(60);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // Draining: its idle connections go first, so the server stops choosing it.
        wsp.awaitStatus("only the busy connection left",
                s -> s.getJsonArray("agents").stream().map(a -> a.asJsonObject())
                        .anyMatch(a -> a.getString("id").equals("streamer") && a.getInt("total") == 1 && a.getInt("busy") == 1));
        assertTrue(agent.isAlive(), "the agent waits for its request in flight");
        api.releaseHeld();
        HttpResponse<String> r = held.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals("released\n", r.body());
        assertEquals(0, exit.get(60, TimeUnit.SECONDS));
        wsp.awaitNoAgents();
    }

    @Test
    void oneGibibyteDownloadStreamsThroughSmallHeaps() throws Exception {
        // Hashed before the request: hashing 1 GiB while the response waits unread took longer than
        // wsp.bodyIdleTimeout on a busy machine, and the server rightly aborted the stalled body.
        String expected = TestData.sha256Hex(ONE_GIB);
        HttpClient caller = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> r = caller.send(wsp.request(api.url("/download?size=" + ONE_GIB)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(ONE_GIB), r.headers().firstValue("Content-Length").orElseThrow());
        try (InputStream body = r.body()) {
            assertEquals(expected, TestData.sha256Hex(body));
        }
        assertTrue(agent.isAlive(), "agent died: " + Files.readString(agent.log));
    }

    /**
     * A caller slower than the agent: the server's endpoint blocks on the caller and the container
     * stops reading the agent meanwhile, so the rest of the body waits at its source, the API, not
     * in the server's 256 MiB. Not on WildFly (wsp-it/pom.xml): Undertow reads on and queues what
     * it reads without limit (README, "Deploy to an existing application server").
     */
    @Test
    @Tag("backpressure-on-messages")
    void aCallerSlowerThanTheAgentHoldsTheAgentBack() throws Exception {
        String expected = TestData.sha256Hex(ONE_GIB);
        URI request = wsp.requestUri();
        try (Socket caller = new Socket(request.getHost(), request.getPort())) {
            // HTTP/1.0: the body is what comes after the head, up to the close.
            caller.getOutputStream().write(("GET " + request.getRawPath() + " HTTP/1.0\r\nHost: localhost\r\nX-PROXY-DESTINATION: "
                    + api.url("/download?size=" + ONE_GIB) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = caller.getInputStream();
            String head = RawCaller.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200") || head.startsWith("HTTP/1.0 200"), head);
            MessageDigest sha = TestData.sha256();
            byte[] piece = new byte[16 * 1024];
            long read = 0;
            long slowUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < slowUntil) {
                int n = in.read(piece);
                assertTrue(n > 0, "the body ended while the caller read slowly");
                sha.update(piece, 0, n);
                read += n;
                // A pace, not a wait for anything: about 2 MB/s, while the agent could send 100 times that.
                Thread.sleep(8);
            }
            long ahead = api.downloadBytesSent() - read;
            assertTrue(ahead < HELD_BACK, "the API sent " + ahead + " bytes more than the caller read (" + read + ")");
            try (DigestInputStream rest = new DigestInputStream(in, sha)) {
                rest.transferTo(OutputStream.nullOutputStream());
            }
            assertEquals(expected, HexFormat.of().formatHex(sha.digest()));
        }
        assertTrue(agent.isAlive(), "agent died: " + Files.readString(agent.log));
    }

    @Test
    void anEchoOfA64MebibyteUploadFlowsBothWaysAtOnce() throws Exception {
        RawCaller.assertEchoStreamsBothWays(wsp.requestUri(), api.url("/echo"), "", 64L * 1024 * 1024);
    }

    @Test
    void oneGibibyteUploadOfUnknownLengthStreamsThroughSmallHeaps() throws Exception {
        HttpClient caller = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = caller.send(wsp.request(api.url("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(ONE_GIB))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(ONE_GIB + " " + TestData.sha256Hex(ONE_GIB), r.body());
        assertTrue(agent.isAlive(), "agent died: " + Files.readString(agent.log));
    }
}
