package io.wsp.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PrometheusWriterTest {

    @Test
    void countersArePrefixedWithWspAndEndInTotal() {
        String text = new PrometheusWriter().counter("requests", "Requests ended.")
                .sample(3, "agent", "a", "status", "2xx").sample(1, "agent", "a", "status", "4xx").toString();
        assertEquals("""
                # HELP wsp_requests_total Requests ended.
                # TYPE wsp_requests_total counter
                wsp_requests_total{agent="a",status="2xx"} 3
                wsp_requests_total{agent="a",status="4xx"} 1
                """, text);
    }

    @Test
    void gaugesWithoutLabelsAreOneNameAndAValue() {
        assertEquals("""
                # HELP wsp_agents_connected Agents with at least one connection.
                # TYPE wsp_agents_connected gauge
                wsp_agents_connected 2
                """, new PrometheusWriter().gauge("agents_connected", "Agents with at least one connection.").sample(2)
                .toString());
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewline() {
        String text = new PrometheusWriter().gauge("g", "h").sample(1, "agent", "a\\b\"c\nd").toString();
        assertEquals("wsp_g{agent=\"a\\\\b\\\"c\\nd\"} 1\n", text.substring(text.indexOf("wsp_g{")));
    }

    @Test
    void helpTextEscapesBackslashAndNewline() {
        assertEquals("# HELP wsp_g one\\\\two\\nthree\n",
                new PrometheusWriter().gauge("g", "one\\two\nthree").toString().lines().findFirst().orElseThrow() + "\n");
    }

    @Test
    void fractionsKeepTheirDigitsAndWholeNumbersHaveNone() {
        assertEquals("0.25", PrometheusWriter.number(0.25));
        assertEquals("1", PrometheusWriter.number(1.0));
        assertEquals("12345678901", PrometheusWriter.number(12_345_678_901L));
    }

    @Test
    void histogramsHaveCumulativeBucketsThenInfSumAndCount() {
        DurationHistogram h = new DurationHistogram();
        h.record(3_000_000);        // 3 ms: the first bucket
        h.record(200_000_000);      // 200 ms
        h.record(90_000_000_000L);  // 90 s: beyond the last bound
        String text = new PrometheusWriter().histogram("request_duration_seconds", "Time.", h.snapshot()).toString();
        assertEquals("""
                # HELP wsp_request_duration_seconds Time.
                # TYPE wsp_request_duration_seconds histogram
                wsp_request_duration_seconds_bucket{le="0.005"} 1
                wsp_request_duration_seconds_bucket{le="0.01"} 1
                wsp_request_duration_seconds_bucket{le="0.025"} 1
                wsp_request_duration_seconds_bucket{le="0.05"} 1
                wsp_request_duration_seconds_bucket{le="0.1"} 1
                wsp_request_duration_seconds_bucket{le="0.25"} 2
                wsp_request_duration_seconds_bucket{le="0.5"} 2
                wsp_request_duration_seconds_bucket{le="1"} 2
                wsp_request_duration_seconds_bucket{le="2.5"} 2
                wsp_request_duration_seconds_bucket{le="5"} 2
                wsp_request_duration_seconds_bucket{le="10"} 2
                wsp_request_duration_seconds_bucket{le="30"} 2
                wsp_request_duration_seconds_bucket{le="60"} 2
                wsp_request_duration_seconds_bucket{le="+Inf"} 3
                wsp_request_duration_seconds_sum 90.203
                wsp_request_duration_seconds_count 3
                """, text);
    }

    @Test
    void aDurationOnABoundCountsInThatBucket() {
        DurationHistogram h = new DurationHistogram();
        h.record(10_000_000);
        assertEquals(0, h.snapshot().cumulative()[0]);
        assertEquals(1, h.snapshot().cumulative()[1]);
    }

    @Test
    void labelsMustComeInPairs() {
        assertThrows(IllegalArgumentException.class, () -> new PrometheusWriter().gauge("g", "h").sample(1, "agent"));
    }
}
