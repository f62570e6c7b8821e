package io.wsp.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsp.server.metrics.LocalTrafficStats;
import io.wsp.server.metrics.RequestOutcome;
import org.junit.jupiter.api.Test;

class AccessRecordTest {

    private final LocalTrafficStats stats = new LocalTrafficStats();

    @Test
    void theLineHasEveryFieldAsKeyValuePairs() {
        RequestOutcome o = new RequestOutcome("r-1", "ci", "billing", "POST", "http://api:8081/orders", 201, 12, 340,
                25_400_000, null);
        assertEquals("request=r-1 caller=ci agent=billing method=POST destination=http://api:8081/orders status=201 in=12"
                + " out=340 ms=25", AccessRecord.line(o));
    }

    @Test
    void absentAgentAndDestinationAreDashesAndTheErrorIsQuotedOnOneLine() {
        RequestOutcome o = new RequestOutcome("r-2", "-", null, "GET", null, 502, 0, 0, 1_000_000,
                "Agent lost: \"x\"\nand more");
        assertEquals("request=r-2 caller=- agent=- method=GET destination=- status=502 in=0 out=0 ms=1"
                + " error=\"Agent lost: 'x' and more\"", AccessRecord.line(o));
    }

    @Test
    void theDestinationIsKeptWithoutItsQuery() {
        AccessRecord record = new AccessRecord(stats, "r-3", "GET");
        record.destination("http://api:8081/report?token=secret&x=1");
        assertEquals("http://api:8081/report?...", record.destination());
    }

    @Test
    void onlyTheFirstEndCounts() {
        AccessRecord record = new AccessRecord(stats, "r-4", "GET");
        record.carriedBy("a");
        record.end(200, 0, 5, null);
        record.end(499, 0, 0, "late");
        assertEquals(1, stats.byAgent().get("a").requests());
        assertEquals(0, stats.byAgent().get("a").inFlight());
        assertEquals(0, stats.byAgent().get("a").errors());
    }

    @Test
    void aRequestThatEndedBeforeReachingAnAgentIsNeverInFlightThere() {
        AccessRecord record = new AccessRecord(stats, "r-5", "GET");
        record.end(RequestOutcome.CALLER_GONE, 0, 0, null);
        record.carriedBy("a");
        assertEquals(null, stats.byAgent().get("a"));
    }
}
