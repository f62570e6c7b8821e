package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three Payara Micro nodes in one cluster on loopback, on their built-in data grid, with the real
 * agent: a request on any node reaches an agent connected to any node, and a node's death costs
 * only the requests it was carrying.
 *
 * <p>Agent "lone" dials a balanced address ({@link TcpBalancer}) that reaches node 0 while it
 * lives, node 1 after; agent "twin" dials nodes 0 and 1 directly, as a Go wsp agent given two
 * servers would. Node 2 never has an agent of its own. The last two tests kill node 0, then
 * freeze node 1 and thaw it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final String CLUSTER_SECRET = "it-cluster-secret-0123456789";
    /** What the issue asks: a node's death is behind the callers this soon. */
    private static final Duration RECOVERY = Duration.ofSeconds(5);
    /** The nodes' wsp.timeout (the default value): the longest a request may wait on a node that is gone. */
    private static final Duration WSP_TIMEOUT = Duration.ofSeconds(1);
    /** For a 2-core machine running three nodes, two agents and the test. */
    private static final Duration SLACK = Duration.ofMillis(500);

    private static final PayaraProcess[] nodes = new PayaraProcess[3];
    private static final WspServer[] wsp = new WspServer[3];
    private static InternalApi api;
    private static TcpBalancer balancer;
    private static AgentProcess lone;
    private static AgentProcess twin;

    @BeforeAll
    static void start() throws Exception {
        api = new InternalApi();
        int[] http = new int[3];
        int[] grid = new int[3];
        for (int i = 0; i < 3; i++) {
            http[i] = PayaraProcess.freePort();
            grid[i] = PayaraProcess.freePort();
        }
        String members = "tcpip:" + IntStream.of(grid).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        // Its own name: a cluster of another build on this machine must not merge with this one.
        String name = "wsp-it-" + ProcessHandle.current().pid();
        List<CompletableFuture<PayaraProcess>> booting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int node = i;
            Path work = Files.createDirectories(Path.of("target", "cluster-it-" + System.nanoTime() + "-" + node));
            Map<String, String> settings = Map.of(
                    "wsp.secretKey", WspServer.SECRET,
                    "wsp.cluster", "true",
                    "wsp.clusterSecret", CLUSTER_SECRET,
                    "wsp.clusterUrl", "http://127.0.0.1:" + http[node] + "/",
                    "wsp.pingInterval", "2000",
                    "wsp.timeout", String.valueOf(WSP_TIMEOUT.toMillis()));
            booting.add(OwnThread.supply(() -> {
                try {
                    return PayaraProcess.startClusterNode(work, settings, http[node],
                            List.of("--clustername", name, "--startport", String.valueOf(grid[node]), "--clustermode", members));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < 3; i++) {
            nodes[i] = booting.get(i).get(300, TimeUnit.SECONDS);
            wsp[i] = new WspServer(nodes[i].httpUrl());
        }
        for (WspServer node : wsp) {
            node.awaitStatus("three nodes in the cluster", s -> clusterNodes(s).size() == 3);
        }
        balancer = new TcpBalancer(List.of(http[0], http[1]));
        lone = AgentProcess.start("64m", WspServer.SECRET, "--server", "ws://127.0.0.1:" + balancer.port() + "/register",
                "--id", "lone", "--label", "zone=eu", "--pool-idle", "2", "--pool-max", "8", "--allow-cidr", "127.0.0.1");
        twin = AgentProcess.start("64m", WspServer.SECRET, "--server", wsp[0].registerUrl(), "--server",
                wsp[1].registerUrl(), "--id", "twin", "--pool-idle", "2", "--pool-max", "8", "--allow-cidr", "127.0.0.1");
        wsp[0].awaitIdle("lone", 1);
        wsp[0].awaitIdle("twin", 1);
        wsp[1].awaitIdle("twin", 1);
        for (WspServer node : wsp) {
            awaitSeen(node, "lone");
            awaitSeen(node, "twin");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.openAllGates();
        }
        for (AgentProcess agent : new AgentProcess[] {lone, twin}) {
            if (agent != null) {
                agent.close();
            }
        }
        if (balancer != null) {
            balancer.close();
        }
        for (PayaraProcess node : nodes) {
            if (node != null) {
                node.close();
            }
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    @Order(1)
    void aRequestOnANodeWithoutTheAgentReachesTheAgentsNode() throws Exception {
        for (int node : new int[] {1, 2}) {
            HttpResponse<String> r = wsp[node].send(wsp[node].request(api.url("/status/201")).header("X-PROXY-AGENT", "lone")
                    .POST(HttpRequest.BodyPublishers.ofString("hello")).build());
            assertEquals(201, r.statusCode(), r.body());
            assertEquals("status 201\n", r.body());
            assertEquals("internal-api", r.headers().firstValue("Server").orElseThrow(), "the API's own headers come through");
            assertTrue(r.headers().firstValue("X-Request-Id").isPresent());
        }
        HttpResponse<String> echoed = wsp[2].send(wsp[2].request(api.url("/echo?q=1")).header("X-PROXY-AGENT", "lone")
                .header("X-Request-Id", "cluster-it-echo").header("X-Custom", "kept")
                .POST(HttpRequest.BodyPublishers.ofString("body")).build());
        assertEquals(200, echoed.statusCode(), echoed.body());
        assertEquals("body", echoed.body());
        assertEquals("kept", echoed.headers().firstValue("X-Echo-X-custom").orElseThrow());
        assertEquals("cluster-it-echo", echoed.headers().firstValue("X-Echo-X-request-id").orElseThrow(),
                "the request id is carried to the agent's node and on to the API");
        assertEquals("cluster-it-echo", echoed.headers().firstValue("X-Request-Id").orElseThrow());
        assertTrue(echoed.headers().firstValue("X-Echo-X-wsp-cluster-secret").isEmpty(), "the cluster secret stays between nodes");
        assertTrue(echoed.headers().firstValue("X-Echo-X-proxy-destination").isEmpty());
    }

    @Test
    @Order(2)
    void agentSelectorsWorkAcrossTheCluster() throws Exception {
        HttpResponse<String> eu = wsp[2].send(wsp[2].request(api.url("/status/200"))
                .header("X-PROXY-AGENT-SELECTOR", "zone=eu").build());
        assertEquals(200, eu.statusCode(), eu.body());
        HttpResponse<String> us = wsp[2].send(wsp[2].request(api.url("/status/200"))
                .header("X-PROXY-AGENT-SELECTOR", "zone=us").build());
        assertEquals(503, us.statusCode(), us.body());
        assertTrue(us.headers().firstValue("Content-Type").orElseThrow().startsWith("application/problem+json"));
    }

    @Test
    @Order(3)
    void a64MebibyteEchoStreamsBothWaysThroughAForwardingNode() throws Exception {
        RawCaller.assertEchoStreamsBothWays(wsp[2].requestUri(), api.url("/echo"), "X-PROXY-AGENT: lone\r\n",
                64L * 1024 * 1024);
    }

    @Test
    @Order(4)
    void serverSentEventsReachTheCallerOneByOneThroughAForwardingNode() throws Exception {
        HttpResponse<InputStream> r = wsp[1].client.send(wsp[1].request(api.url("/sse?events=3"))
                .header("X-PROXY-AGENT", "lone").build(), HttpResponse.BodyHandlers.ofInputStream());
        RawCaller.assertEventsOneByOne(r, api, 3);
    }

    @Test
    @Order(5)
    void theInternalEndpointRefusesAWrongOrMissingClusterSecret() throws Exception {
        for (String secret : new String[] {"wrong-secret-0123456789", null}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(wsp[1].uri("cluster/request"))
                    .header("X-PROXY-DESTINATION", api.url("/status/200")).header("X-PROXY-AGENT", "twin");
            if (secret != null) {
                b.header("X-WSP-Cluster-Secret", secret);
            }
            HttpResponse<String> r = wsp[1].send(b.build());
            assertEquals(401, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/problem+json"));
            assertTrue(r.body().contains("cluster secret"), r.body());
        }
        int seen = api.requestsSeen();
        HttpResponse<String> right = wsp[1].send(HttpRequest.newBuilder(wsp[1].uri("cluster/request"))
                .header("X-PROXY-DESTINATION", api.url("/status/200")).header("X-PROXY-AGENT", "twin")
                .header("X-WSP-Cluster-Secret", CLUSTER_SECRET).build());
        assertEquals(200, right.statusCode(), "the same request with the secret is carried: " + right.body());
        assertEquals(seen + 1, api.requestsSeen());
    }

    @Test
    @Order(6)
    void anAgentOfTwoNodesIsServedFromAThirdWithNoAgentOfItsOwn() throws Exception {
        assertTrue(wsp[2].status().getJsonArray("agents").isEmpty(), "node 2 holds no agent");
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = wsp[2].send(wsp[2].request(api.url("/status/200")).header("X-PROXY-AGENT", "twin").build());
            assertEquals(200, r.statusCode(), r.body());
        }
        JsonObject self = clusterNodes(wsp[2].status()).stream().filter(n -> n.getBoolean("self")).findFirst().orElseThrow();
        assertTrue(self.getJsonArray("agents").isEmpty());
        String metrics = wsp[2].admin("metrics").body();
        assertTrue(metrics.contains("wsp_cluster_nodes 3.0"), metrics);
        assertTrue(metrics.contains("wsp_cluster_forwarded_requests_total{"), metrics);
    }

    @Test
    @Order(7)
    void whenANodeDiesItsRequestsFailItsAgentsComeBackAndTheOthersKeepServing() throws Exception {
        // Carried by node 0 (lone's only node) for node 2's callers, held open mid-body: one of
        // unknown length (chunked), one of announced length.
        List<InputStream> held = new ArrayList<>();
        for (String path : List.of("/stall?gate=node-death", "/stall?length=1048576&gate=node-death")) {
            HttpResponse<InputStream> r = wsp[2].client.send(wsp[2].request(api.url(path)).header("X-PROXY-AGENT", "lone")
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertEquals(1024, r.body().readNBytes(1024).length);
            held.add(r.body());
        }

        nodes[0].kill();
        long killed = System.nanoTime();
        Recovery twinBack = awaitServed(wsp[2], "twin", killed);
        Recovery loneBackOn1 = awaitServed(wsp[1], "lone", killed);
        Recovery loneBackOn2 = awaitServed(wsp[2], "lone", killed);
        System.out.printf("ClusterIT: after node 0's death, node 2 served twin after %d ms; lone (reconnected through "
                        + "the balancer) was served on node 1 after %d ms and on node 2 after %d ms%n",
                twinBack.after().toMillis(), loneBackOn1.after().toMillis(), loneBackOn2.after().toMillis());
        for (Recovery r : List.of(twinBack, loneBackOn1, loneBackOn2)) {
            assertTrue(r.after().compareTo(RECOVERY) <= 0, "served again only after " + r.after().toMillis() + " ms");
        }
        assertEquals(0, twinBack.failures(), "a GET forwarded to the dead node is carried again by twin's other node");
        // Checked after the recovery, which they must not delay: an aborted response's connection
        // ends at the caller's side only when Payara's idle timeout closes it.
        for (InputStream body : held) {
            CompletableFuture<Long> rest = OwnThread.supply(() -> {
                try {
                    return body.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            ExecutionException failed = assertThrows(ExecutionException.class, () -> rest.get(30, TimeUnit.SECONDS),
                    "a response the dead node was carrying must end in an error, never as if complete");
            assertTrue(failed.getCause() instanceof UncheckedIOException, failed.toString());
        }
        for (int i = 0; i < 20; i++) {
            for (int node : new int[] {1, 2}) {
                for (String agent : List.of("twin", "lone")) {
                    HttpResponse<String> r = wsp[node].send(wsp[node].request(api.url("/status/200"))
                            .header("X-PROXY-AGENT", agent).build());
                    assertEquals(200, r.statusCode(), "node " + node + ", agent " + agent + ": " + r.body());
                }
            }
        }
        for (int node : new int[] {1, 2}) {
            wsp[node].awaitStatus("two nodes left", s -> clusterNodes(s).size() == 2);
        }
    }

    @Test
    @Order(8)
    void aFrozenNodeIsLeftOutWithinSecondsItsRequestsFailAndItServesAgainOnceThawed() throws Exception {
        // Agent lone is on node 1 now (through the balancer); node 2 forwards to it.
        HttpResponse<InputStream> r = wsp[2].client.send(wsp[2].request(api.url("/stall?gate=node-freeze"))
                .header("X-PROXY-AGENT", "lone").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(1024, r.body().readNBytes(1024).length);
        CompletableFuture<Long> rest = OwnThread.supply(() -> {
            try {
                return r.body().transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        // Frozen, its sockets stay open: no connection is refused, the data grid may wait on it
        // for a minute, and only the missing publications and probe answers tell.
        nodes[1].signal("STOP");
        long frozen = System.nanoTime();
        HttpResponse<String> waitedOn;
        Duration answered;
        Duration left;
        try {
            // Node 2 still takes node 1 for live and forwards this there.
            waitedOn = wsp[2].send(wsp[2].request(api.url("/status/200")).header("X-PROXY-AGENT", "lone")
                    .timeout(Duration.ofSeconds(30)).build());
            answered = Duration.ofNanos(System.nanoTime() - frozen);
            ExecutionException failed = assertThrows(ExecutionException.class, () -> rest.get(30, TimeUnit.SECONDS),
                    "a response the frozen node was carrying must end in an error");
            assertTrue(failed.getCause() instanceof UncheckedIOException, failed.toString());
            left = Duration.ofNanos(System.nanoTime() - frozen);
            wsp[2].awaitStatus("node 1 left out", s -> clusterNodes(s).size() == 1);
        } finally {
            // Thawed at once: frozen much longer, the data grid itself splits, and its halves
            // merge again only after minutes (README, Cluster).
            nodes[1].signal("CONT");
        }
        long thawed = System.nanoTime();
        Recovery back = awaitServed(wsp[2], "lone", thawed);
        System.out.printf("ClusterIT: node 1 frozen: a request node 2 forwarded there was answered %d %s after %d ms; "
                        + "the response it carried failed at the caller after %d ms; thawed: served again after %d ms%n",
                waitedOn.statusCode(), waitedOn.body(), answered.toMillis(), left.toMillis(), back.after().toMillis());
        assertTrue(waitedOn.statusCode() == 502 || waitedOn.statusCode() == 503, waitedOn.statusCode() + " " + waitedOn.body());
        assertTrue(answered.compareTo(WSP_TIMEOUT.plus(SLACK)) <= 0,
                "a request waited on the frozen node for " + answered.toMillis() + " ms, wsp.timeout is " + WSP_TIMEOUT.toMillis());
        // Dropped after 5 s of silence; the aborted response's connection then ends at Payara's
        // 5 s keep-alive idle time (payara-config): 10.5-11.6 s in five runs.
        assertTrue(left.compareTo(Duration.ofSeconds(20)) <= 0,
                "the response it carried failed only after " + left.toMillis() + " ms");
    }

    /** How an agent came back after a fault: how long after it, and how many requests failed before. */
    private record Recovery(Duration after, int failures) {
    }

    /** Sends requests for {@code agent} to {@code node} until one succeeds. */
    private static Recovery awaitServed(WspServer node, String agent, long since) throws Exception {
        long deadline = since + Duration.ofSeconds(60).toNanos();
        String last = "";
        int failures = 0;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = node.send(node.request(api.url("/status/200")).header("X-PROXY-AGENT", agent)
                    .timeout(Duration.ofSeconds(10)).build());
            if (r.statusCode() == 200) {
                System.out.printf("ClusterIT: agent %s on %s: %d failed answers before the first 200%s%n", agent,
                        node.uri(""), failures, failures == 0 ? "" : " (last: " + last + ")");
                return new Recovery(Duration.ofNanos(System.nanoTime() - since), failures);
            }
            failures++;
            last = r.statusCode() + " " + r.body();
            Thread.sleep(50);
        }
        throw new AssertionError("agent " + agent + " never served again; last answer: " + last);
    }

    /** Polls until {@code node} sees {@code agent} with an idle connection on some node of the cluster. */
    private static void awaitSeen(WspServer node, String agent) throws IOException, InterruptedException {
        node.awaitStatus("agent " + agent + " in the cluster", s -> clusterNodes(s).stream()
                .flatMap(n -> n.getJsonArray("agents").stream().map(JsonValue::asJsonObject))
                .anyMatch(a -> a.getString("id").equals(agent) && a.getInt("idle") > 0));
    }

    private static List<JsonObject> clusterNodes(JsonObject status) {
        JsonObject cluster = status.getJsonObject("cluster");
        return cluster == null ? List.of() : cluster.getJsonArray("nodes").stream().map(JsonValue::asJsonObject).toList();
    }
}
