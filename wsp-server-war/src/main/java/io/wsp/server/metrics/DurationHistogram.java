package io.wsp.server.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request durations in fixed buckets, lock-free: one {@link LongAdder} per bucket, so requests
 * ending at once never wait for each other, nor for a scrape. (The client library's
 * {@code Histogram} would add a shared atomic count per observation and a lock for requests ending
 * while a scrape runs; {@code /metrics} turns this histogram's snapshot into the library's.)
 */
public final class DurationHistogram {

    /** Upper bounds in seconds: from a fast local call to the default response timeout, then the rest. */
    static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
        Double.POSITIVE_INFINITY};

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length];
    private final LongAdder sumNanos = new LongAdder();

    public DurationHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        double seconds = nanos / (double) TimeUnit.SECONDS.toNanos(1);
        int i = 0;
        while (seconds > BOUNDS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /** Counts at one moment. Read while requests end, the sum may lag the buckets by a request or two. */
    public Snapshot snapshot() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return new Snapshot(BOUNDS.clone(), counts, sumNanos.sum() / (double) TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * @param bounds     upper bounds in seconds, the last one +Inf
     * @param counts     requests in each bucket alone (not cumulative), one per bound
     * @param sumSeconds all durations added up
     */
    public record Snapshot(double[] bounds, long[] counts, double sumSeconds) {

        public long count() {
            long all = 0;
            for (long n : counts) {
                all += n;
            }
            return all;
        }
    }
}
