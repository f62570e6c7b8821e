package io.wsp.agent.connect;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly random time
 * in {@code [0, min(max, initial * 2^(n-1))]}, so many agents restarting together do not reconnect
 * in lockstep. Not thread safe: its owner serialises calls.
 */
public final class Backoff {

    /** First ceiling: short enough that a brief server restart costs little. */
    public static final Duration INITIAL = Duration.ofMillis(200);

    /**
     * Highest ceiling: a restarted server has its agents back within about this (plus a handshake),
     * well inside 5 s even when a dial fails just before the application is up; a server that is
     * down sees on average one dial per second per pool, each a refused TCP connect.
     */
    public static final Duration MAX = Duration.ofSeconds(2);

    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    private int failures;

    /** @param random values in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble} */
    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** Records a failure and returns how long to wait before the next attempt. */
    public Duration nextDelay() {
        failures++;
        return Duration.ofMillis((long) (random.getAsDouble() * (ceilingMillis() + 1)));
    }

    /** The upper bound of the delay {@link #nextDelay()} would return after the failures so far. */
    long ceilingMillis() {
        // Shift at most 30 places: enough to pass any sane max without overflowing a long.
        int shift = Math.min(Math.max(failures - 1, 0), 30);
        return Math.min(maxMillis, initialMillis << shift);
    }

    /** Records a success: the next failure starts again from the initial delay. */
    public void reset() {
        failures = 0;
    }
}
