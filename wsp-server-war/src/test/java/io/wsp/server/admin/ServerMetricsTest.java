package io.wsp.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wsp.protocol.Labels;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.metrics.LocalTrafficStats;
import io.wsp.server.metrics.RequestOutcome;
import io.wsp.server.registry.ClusterStatus;
import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PoolStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerMetricsTest {

    private final ServerInfo server = new ServerInfo();
    private final LocalTrafficStats stats = new LocalTrafficStats();
    private final AuthCounters auth = new AuthCounters();
    private final List<PoolStatus> pools = new ArrayList<>();
    private int waiting;
    private final PrometheusRegistry registry = ServerMetrics.registry(server, () -> List.copyOf(pools), () -> waiting,
            stats, auth, Optional::empty, Map::of, Map::of);

    private static String text(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private String text() throws IOException {
        return text(registry);
    }

    private static void assertLine(String text, String line) {
        assertTrue(text.lines().anyMatch(line::equals), "no line '" + line + "' in\n" + text);
    }

    private void carry(String agent, int status, long nanos) {
        stats.started(agent);
        stats.finished(new RequestOutcome("r", "anonymous", agent, "GET", "http://api/", status, 5, 11, nanos, null));
    }

    @Test
    void everyFamilyKeepsItsNameTypeAndHelp() throws IOException {
        pools.add(new PoolStatus("a", Labels.NONE, 2, 2, 0, Instant.EPOCH, "192.0.2.1"));
        carry("a", 200, 1_000_000);
        String text = text();
        for (String line : List.of(
                "# HELP wsp_build_info The running wsp server's version; always 1.",
                "# TYPE wsp_build_info gauge",
                "# HELP wsp_uptime_seconds Seconds since the server started.",
                "# TYPE wsp_uptime_seconds gauge",
                "# HELP wsp_agents_connected Agents with at least one connection.",
                "# TYPE wsp_agents_connected gauge",
                "# HELP wsp_agent_connections Agent connections by agent and state.",
                "# TYPE wsp_agent_connections gauge",
                "# HELP wsp_requests_waiting Requests waiting for an idle agent connection.",
                "# TYPE wsp_requests_waiting gauge",
                "# HELP wsp_requests_in_flight Requests an agent is carrying now.",
                "# TYPE wsp_requests_in_flight gauge",
                "# HELP wsp_requests_total Requests ended, by agent and status class; agent is empty when none carried it.",
                "# TYPE wsp_requests_total counter",
                "# HELP wsp_request_errors_total Requests wsp failed or aborted (agent lost, timeouts, no agent...).",
                "# TYPE wsp_request_errors_total counter",
                "# HELP wsp_request_body_bytes_total Request body bytes sent on to agents.",
                "# TYPE wsp_request_body_bytes_total counter",
                "# HELP wsp_response_body_bytes_total Response body bytes agents sent back to callers.",
                "# TYPE wsp_response_body_bytes_total counter",
                "# HELP wsp_request_duration_seconds Time from a request's arrival to its end.",
                "# TYPE wsp_request_duration_seconds histogram",
                "# HELP wsp_auth_failures_total Refused credentials: agent registrations, callers without a valid key "
                        + "(401), callers beyond their key's limits (403), admin pages without the admin key.",
                "# TYPE wsp_auth_failures_total counter")) {
            assertLine(text, line);
        }
        assertEquals(12, text.lines().filter(l -> l.startsWith("# TYPE ")).count(), text);
    }

    @Test
    void buildInfoIsOneWithTheVersionAsItsLabel() throws IOException {
        assertLine(text(), "wsp_build_info{version=\"" + server.version() + "\"} 1");
    }

    @Test
    void connectionsAreGaugesByAgentAndState() throws IOException {
        pools.add(new PoolStatus("a", Labels.NONE, 2, 2, 1, Instant.EPOCH, "192.0.2.1"));
        waiting = 3;
        String text = text();
        assertLine(text, "wsp_agents_connected 1.0");
        assertLine(text, "wsp_agent_connections{agent=\"a\",state=\"idle\"} 2.0");
        assertLine(text, "wsp_agent_connections{agent=\"a\",state=\"busy\"} 1.0");
        assertLine(text, "wsp_requests_waiting 3.0");
    }

    @Test
    void trafficIsCountedByAgentWithEveryStatusClass() throws IOException {
        carry("a", 200, 1_000_000);
        carry("a", 404, 1_000_000);
        stats.started("a");
        String text = text();
        assertLine(text, "wsp_requests_total{agent=\"a\",status=\"1xx\"} 0.0");
        assertLine(text, "wsp_requests_total{agent=\"a\",status=\"2xx\"} 1.0");
        assertLine(text, "wsp_requests_total{agent=\"a\",status=\"4xx\"} 1.0");
        assertLine(text, "wsp_requests_total{agent=\"a\",status=\"5xx\"} 0.0");
        assertLine(text, "wsp_requests_in_flight{agent=\"a\"} 1.0");
        assertLine(text, "wsp_request_errors_total{agent=\"a\"} 0.0");
        assertLine(text, "wsp_request_body_bytes_total{agent=\"a\"} 10.0");
        assertLine(text, "wsp_response_body_bytes_total{agent=\"a\"} 22.0");
    }

    @Test
    void requestsNoAgentCarriedHaveAnEmptyAgentLabel() throws IOException {
        stats.finished(new RequestOutcome("r", "-", null, "GET", null, 401, 0, 0, 1000, null));
        String text = text();
        assertLine(text, "wsp_requests_total{agent=\"\",status=\"4xx\"} 1.0");
        assertLine(text, "wsp_request_duration_seconds_count 1");
    }

    @Test
    void agentIdsAreEscapedInLabelValues() throws IOException {
        carry("a\\b\"c\nd", 200, 1_000_000);
        assertLine(text(), "wsp_requests_total{agent=\"a\\\\b\\\"c\\nd\",status=\"2xx\"} 1.0");
    }

    @Test
    void durationsAreACumulativeHistogramWithInfCountAndSum() throws IOException {
        carry("a", 200, 3_000_000);        // 3 ms: the first bucket
        carry("a", 200, 200_000_000);      // 200 ms
        carry("a", 200, 90_000_000_000L);  // 90 s: beyond the last bound
        String text = text();
        String histogram = text.substring(text.indexOf("wsp_request_duration_seconds_bucket"),
                text.indexOf("# HELP", text.indexOf("wsp_request_duration_seconds_bucket")));
        assertEquals("""
                wsp_request_duration_seconds_bucket{le="0.005"} 1
                wsp_request_duration_seconds_bucket{le="0.01"} 1
                wsp_request_duration_seconds_bucket{le="0.025"} 1
                wsp_request_duration_seconds_bucket{le="0.05"} 1
                wsp_request_duration_seconds_bucket{le="0.1"} 1
                wsp_request_duration_seconds_bucket{le="0.25"} 2
                wsp_request_duration_seconds_bucket{le="0.5"} 2
                wsp_request_duration_seconds_bucket{le="1.0"} 2
                wsp_request_duration_seconds_bucket{le="2.5"} 2
                wsp_request_duration_seconds_bucket{le="5.0"} 2
                wsp_request_duration_seconds_bucket{le="10.0"} 2
                wsp_request_duration_seconds_bucket{le="30.0"} 2
                wsp_request_duration_seconds_bucket{le="60.0"} 2
                wsp_request_duration_seconds_bucket{le="+Inf"} 3
                wsp_request_duration_seconds_count 3
                wsp_request_duration_seconds_sum 90.203
                """, histogram);
    }

    @Test
    void authFailuresAreCountedByKind() throws IOException {
        auth.registrationRefused();
        auth.adminCallRefused();
        auth.adminCallRefused();
        String text = text();
        assertLine(text, "wsp_auth_failures_total{kind=\"registration\"} 1.0");
        assertLine(text, "wsp_auth_failures_total{kind=\"unauthenticated\"} 0.0");
        assertLine(text, "wsp_auth_failures_total{kind=\"forbidden\"} 0.0");
        assertLine(text, "wsp_auth_failures_total{kind=\"admin\"} 2.0");
    }

    @Test
    void twoDeploymentsInOneJvmCountApart() throws IOException {
        LocalTrafficStats otherStats = new LocalTrafficStats();
        PrometheusRegistry other = ServerMetrics.registry(new ServerInfo(), List::of, () -> 0, otherStats,
                new AuthCounters(), Optional::empty, Map::of, Map::of);
        carry("a", 200, 1_000_000);
        assertLine(text(), "wsp_requests_total{agent=\"a\",status=\"2xx\"} 1.0");
        assertFalse(text(other).contains("agent=\"a\""), text(other));
    }

    @Test
    void aSingleNodeHasNoClusterFamilies() throws IOException {
        assertFalse(text().contains("wsp_cluster_"), text());
    }

    @Test
    void clusterFamiliesCountNodesTheOtherNodesAgentsAndForwards() throws IOException {
        NodeState self = new NodeState("n1", URI.create("http://10.0.0.1:8080/"),
                List.of(new NodeState.Agent("a", Labels.NONE, 2, 0)));
        NodeState peer = new NodeState("n2", URI.create("http://10.0.0.2:8080/"),
                List.of(new NodeState.Agent("b", Labels.of(Map.of("zone", "eu")), 3, 1)));
        ClusterStatus cluster = new ClusterStatus(self, List.of(peer));
        PrometheusRegistry clustered = ServerMetrics.registry(new ServerInfo(), List::of, () -> 0,
                new LocalTrafficStats(), new AuthCounters(), () -> Optional.of(cluster),
                () -> Map.of("http://10.0.0.2:8080/", 5L, "http://10.0.0.3:8080/", 2L),
                () -> Map.of("http://10.0.0.3:8080/", 2L));
        String text = text(clustered);
        for (String line : List.of(
                "# HELP wsp_cluster_nodes Live nodes of the cluster, this one included.",
                "# TYPE wsp_cluster_nodes gauge",
                "wsp_cluster_nodes 2.0",
                "# HELP wsp_cluster_agent_connections Agent connections on the other nodes, by node URL, agent and state.",
                "# TYPE wsp_cluster_agent_connections gauge",
                "wsp_cluster_agent_connections{agent=\"b\",node=\"http://10.0.0.2:8080/\",state=\"idle\"} 3.0",
                "wsp_cluster_agent_connections{agent=\"b\",node=\"http://10.0.0.2:8080/\",state=\"busy\"} 1.0",
                "# HELP wsp_cluster_forwarded_requests_total Requests this node forwarded to another, by node URL.",
                "# TYPE wsp_cluster_forwarded_requests_total counter",
                "wsp_cluster_forwarded_requests_total{node=\"http://10.0.0.2:8080/\"} 5.0",
                "wsp_cluster_forwarded_requests_total{node=\"http://10.0.0.3:8080/\"} 2.0",
                "# HELP wsp_cluster_forward_errors_total Forwarded requests that failed between the nodes "
                        + "(refused, reset, node gone), by node URL.",
                "# TYPE wsp_cluster_forward_errors_total counter",
                "wsp_cluster_forward_errors_total{node=\"http://10.0.0.3:8080/\"} 2.0")) {
            assertLine(text, line);
        }
        assertFalse(text.contains("node=\"http://10.0.0.1:8080/\""), text);
    }
}
