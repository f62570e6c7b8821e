package io.wsp.server.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LocalTrafficStatsTest {

    private final LocalTrafficStats stats = new LocalTrafficStats();

    private static RequestOutcome outcome(String agent, int status, String error) {
        return new RequestOutcome("id", "anonymous", agent, "GET", "http://api/x", status, 5, 11, 1_000_000, error);
    }

    @Test
    void requestsCountByAgentAndStatusClassWithTheirBytes() {
        for (int status : new int[] {200, 200, 201, 404}) {
            stats.started("a");
            stats.finished(outcome("a", status, null));
        }
        AgentTraffic a = stats.byAgent().get("a");
        assertArrayEquals(new long[] {0, 3, 0, 1, 0}, a.byClass());
        assertEquals(4, a.requests());
        assertEquals(20, a.bytesIn());
        assertEquals(44, a.bytesOut());
        assertEquals(0, a.errors());
        assertNull(a.lastError());
        assertEquals(4, stats.durations().count());
    }

    @Test
    void inFlightRisesWhenStartedAndFallsWhenFinished() {
        stats.started("a");
        stats.started("a");
        assertEquals(2, stats.byAgent().get("a").inFlight());
        stats.finished(outcome("a", 200, null));
        assertEquals(1, stats.byAgent().get("a").inFlight());
    }

    @Test
    void errorsKeepTheLatestReason() {
        stats.started("a");
        stats.finished(outcome("a", 502, "agent connection lost"));
        stats.started("a");
        stats.finished(outcome("a", 504, "no response head"));
        AgentTraffic a = stats.byAgent().get("a");
        assertEquals(2, a.errors());
        assertEquals("no response head", a.lastError());
        assertNotNull(a.lastErrorAt());
    }

    @Test
    void requestsNoAgentCarriedCountUnderNoAgentWithoutTouchingInFlight() {
        stats.finished(outcome(null, 503, null));
        AgentTraffic none = stats.byAgent().get(TrafficStats.NO_AGENT);
        assertEquals(1, none.byClass()[4]);
        assertEquals(0, none.inFlight());
    }
}
