package io.wsp.server.admin;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.protocol.Labels;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.metrics.LocalTrafficStats;
import io.wsp.server.metrics.RequestOutcome;
import io.wsp.server.registry.PoolStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsPageTest {

    private final LocalTrafficStats stats = new LocalTrafficStats();
    private final AuthCounters auth = new AuthCounters();

    private String render(List<PoolStatus> pools, int waiting) {
        return MetricsPage.render(new ServerInfo(), pools, waiting, stats.byAgent(), stats.durations(), auth);
    }

    private static void assertLine(String text, String line) {
        assertTrue(text.lines().anyMatch(line::equals), "no line '" + line + "' in\n" + text);
    }

    @Test
    void connectionsAreGaugesByAgentAndState() {
        String text = render(List.of(new PoolStatus("a", Labels.NONE, 2, 2, 1, Instant.EPOCH, "192.0.2.1")), 3);
        assertLine(text, "wsp_agents_connected 1");
        assertLine(text, "wsp_agent_connections{agent=\"a\",state=\"idle\"} 2");
        assertLine(text, "wsp_agent_connections{agent=\"a\",state=\"busy\"} 1");
        assertLine(text, "wsp_requests_waiting 3");
    }

    @Test
    void requestsNoAgentCarriedHaveAnEmptyAgentLabel() {
        stats.finished(new RequestOutcome("r", "-", null, "GET", null, 401, 0, 0, 1000, null));
        String text = render(List.of(), 0);
        assertLine(text, "wsp_requests_total{agent=\"\",status=\"4xx\"} 1");
        assertLine(text, "wsp_request_duration_seconds_count 1");
    }

    @Test
    void authFailuresAreCountedByKind() {
        auth.registrationRefused();
        auth.adminCallRefused();
        auth.adminCallRefused();
        String text = render(List.of(), 0);
        assertLine(text, "wsp_auth_failures_total{kind=\"registration\"} 1");
        assertLine(text, "wsp_auth_failures_total{kind=\"unauthenticated\"} 0");
        assertLine(text, "wsp_auth_failures_total{kind=\"admin\"} 2");
    }
}
