package io.wsp.agent.forward;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The connect and request timeouts of every exchange in flight, on Jetty's {@link CyclicTimeouts}:
 * one timer task for the earliest deadline instead of one per exchange. Every exchange's deadline
 * is later than those before it (the same timeouts for all), so watching one normally schedules
 * nothing; a timer task per request woke the timer thread and cost a context switch each.
 * Thread safe.
 */
final class Deadlines extends CyclicTimeouts<Deadlines.Deadline> {

    /** What runs out: an exchange in one of its timed phases. */
    interface Deadline extends CyclicTimeouts.Expirable {

        /**
         * The deadline passed: ends what it times if it still applies. Runs on the scheduler's
         * thread, so it must not block.
         *
         * @return false when the deadline moved on meanwhile and must stay watched
         */
        boolean expire();
    }

    private final Set<Deadline> watched = ConcurrentHashMap.newKeySet();

    Deadlines(Scheduler scheduler) {
        super(scheduler);
    }

    /** Watches {@code deadline} at its current expiry time; call again when that time changes. */
    void watch(Deadline deadline) {
        watched.add(deadline);
        schedule(deadline);
    }

    void unwatch(Deadline deadline) {
        watched.remove(deadline);
    }

    @Override
    protected Iterator<Deadline> iterator() {
        return watched.iterator();
    }

    @Override
    protected boolean onExpired(Deadline deadline) {
        return deadline.expire();
    }
}
