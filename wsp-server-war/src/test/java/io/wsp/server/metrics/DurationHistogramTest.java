package io.wsp.server.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DurationHistogramTest {

    private final DurationHistogram h = new DurationHistogram();

    @Test
    void aDurationOnABoundCountsInThatBucket() {
        h.record(10_000_000);
        assertEquals(0, h.snapshot().counts()[0]);
        assertEquals(1, h.snapshot().counts()[1]);
    }

    @Test
    void aDurationBeyondTheLastBoundCountsInTheInfBucket() {
        h.record(61_000_000_000L);
        DurationHistogram.Snapshot s = h.snapshot();
        assertEquals(Double.POSITIVE_INFINITY, s.bounds()[s.bounds().length - 1]);
        assertEquals(1, s.counts()[s.counts().length - 1]);
    }

    @Test
    void bucketsCountAloneAndTheCountAddsThemUp() {
        h.record(3_000_000);
        h.record(4_000_000);
        h.record(200_000_000);
        DurationHistogram.Snapshot s = h.snapshot();
        assertArrayEquals(new long[] {2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, s.counts());
        assertEquals(3, s.count());
        assertEquals(0.207, s.sumSeconds(), 1e-9);
    }
}
