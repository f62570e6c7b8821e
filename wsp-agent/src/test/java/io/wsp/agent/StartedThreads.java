package io.wsp.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The threads a test started, told apart from those already running in the shared test JVM
 * (other test classes' connections end on their own time). Waits by joining them: a busy poll
 * would compete with the threads it waits for.
 */
public final class StartedThreads {

    private final Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    private final Predicate<Thread> counted;

    /** From now on, the threads {@code counted} accepts. */
    public StartedThreads(Predicate<Thread> counted) {
        this.counted = counted;
    }

    /** Fails unless every counted thread started since this object was made ends within 10 s. */
    public void awaitAllEnded() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<Thread> running;
        while (!(running = running()).isEmpty()) {
            for (Thread thread : running) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            assertTrue(System.nanoTime() < deadline, "threads still running: " + running());
        }
    }

    private List<Thread> running() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && counted.test(t))
                .toList();
    }
}
