package io.wsp.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsp.server.metrics.LocalTrafficStats;
import io.wsp.server.metrics.RequestOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessRecordTest {

    private final LocalTrafficStats stats = new LocalTrafficStats();
    private final AccessLog log = new AccessLog();

    @BeforeEach
    void startLog() {
        log.start();
    }

    @AfterEach
    void stopLog() {
        log.stop();
    }

    @Test
    void theDestinationIsKeptWithoutItsQuery() {
        AccessRecord record = new AccessRecord(stats, log, "r-3", "GET");
        record.destination("http://api:8081/report?token=secret&x=1");
        assertEquals("http://api:8081/report?...", record.destination());
    }

    @Test
    void onlyTheFirstEndCounts() {
        AccessRecord record = new AccessRecord(stats, log, "r-4", "GET");
        record.carriedBy("a");
        record.end(200, 0, 5, null);
        record.end(499, 0, 0, "late");
        assertEquals(1, stats.byAgent().get("a").requests());
        assertEquals(0, stats.byAgent().get("a").inFlight());
        assertEquals(0, stats.byAgent().get("a").errors());
    }

    @Test
    void aRequestThatEndedBeforeReachingAnAgentIsNeverInFlightThere() {
        AccessRecord record = new AccessRecord(stats, log, "r-5", "GET");
        record.end(RequestOutcome.CALLER_GONE, 0, 0, null);
        record.carriedBy("a");
        assertEquals(null, stats.byAgent().get("a"));
    }
}
