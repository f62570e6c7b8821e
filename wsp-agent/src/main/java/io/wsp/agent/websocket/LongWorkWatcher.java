package io.wsp.agent.websocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that looks at watched work every period, for all connections: a timer task per run
 * of work would cost every short request a scheduling and a cancelling. When nothing has been
 * watched for a while it parks until work is watched again, so an idle agent is not woken 50
 * times a second for nothing.
 */
final class LongWorkWatcher {

    /** Work being watched; compared by identity. */
    interface Watched {

        /** On the watcher's thread, about once a period while watched. */
        void check(long nowNanos);
    }

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final long periodMillis;
    private final long idleNanos;
    private final Thread thread;
    private volatile boolean parked;

    /**
     * @param periodMillis how often watched work is checked
     * @param idleMillis   how long nothing is watched before the thread parks
     */
    LongWorkWatcher(String threadName, long periodMillis, long idleMillis) {
        this.periodMillis = periodMillis;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    void watch(Watched work) {
        watched.add(work);
        // After the add: a watcher about to park looks at the set once more after saying so.
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    void unwatch(Watched work) {
        watched.remove(work);
    }

    /** Whether the thread is parked for want of work (it only ever sleeps otherwise). */
    boolean isParked() {
        return thread.getState() == Thread.State.WAITING;
    }

    private void run() {
        long lastWatched = System.nanoTime();
        while (true) {
            if (watched.isEmpty() && System.nanoTime() - lastWatched > idleNanos) {
                parked = true;
                while (watched.isEmpty()) {
                    LockSupport.park(this);
                }
                parked = false;
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            if (!watched.isEmpty()) {
                lastWatched = now;
            }
            for (Watched work : watched) {
                work.check(now);
            }
        }
    }
}
