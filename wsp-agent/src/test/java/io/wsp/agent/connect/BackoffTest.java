package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final double ALMOST_ONE = Math.nextDown(1.0);

    @Test
    void ceilingDoublesFromInitialUpToMax() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), () -> ALMOST_ONE);

        long[] expected = {200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000};
        for (long ceiling : expected) {
            assertEquals(Duration.ofMillis(ceiling), backoff.nextDelay());
        }
    }

    @Test
    void fullJitterCanWaitNothing() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), () -> 0.0);

        assertEquals(Duration.ZERO, backoff.nextDelay());
        assertEquals(Duration.ZERO, backoff.nextDelay());
    }

    @Test
    void delayIsUniformWithinTheCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), () -> 0.5);

        assertEquals(Duration.ofMillis(100), backoff.nextDelay());
        assertEquals(Duration.ofMillis(200), backoff.nextDelay());
    }

    @Test
    void resetStartsAgainFromInitial() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), () -> ALMOST_ONE);
        for (int i = 0; i < 5; i++) {
            backoff.nextDelay();
        }

        backoff.reset();

        assertEquals(Duration.ofMillis(200), backoff.nextDelay());
    }

    @Test
    void manyFailuresNeverOverflow() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), () -> ALMOST_ONE);
        for (int i = 0; i < 1000; i++) {
            backoff.nextDelay();
        }

        assertEquals(Duration.ofSeconds(30), backoff.nextDelay());
    }

    @Test
    void rejectsBoundsInTheWrongOrder() {
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.0));
    }
}
