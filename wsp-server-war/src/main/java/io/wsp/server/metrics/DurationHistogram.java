package io.wsp.server.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request durations in fixed buckets, lock-free. Buckets hold their own counts; the snapshot
 * makes them cumulative as Prometheus expects.
 */
public final class DurationHistogram {

    /** Upper bounds in seconds: from a fast local call to the default response timeout. */
    static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public DurationHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        double seconds = nanos / (double) TimeUnit.SECONDS.toNanos(1);
        int i = 0;
        while (i < BOUNDS.length && seconds > BOUNDS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /**
     * Counts at one moment, each bucket including those below it. Read while requests end, the
     * total may lag a bucket by a request or two; Prometheus tolerates that.
     */
    public Snapshot snapshot() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(BOUNDS.clone(), cumulative, sumNanos.sum() / (double) TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * @param bounds     upper bounds in seconds; the last bucket (+Inf) has none
     * @param cumulative one more than {@code bounds}: requests at or below each bound, then all
     * @param sumSeconds all durations added up
     */
    public record Snapshot(double[] bounds, long[] cumulative, double sumSeconds) {

        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
