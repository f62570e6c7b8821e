package io.wsp.agent.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LongWorkWatcherTest {

    @Test
    void watchedWorkIsCheckedUntilUnwatched() throws Exception {
        LongWorkWatcher watcher = new LongWorkWatcher("test-watch", 5, 60_000);
        CountDownLatch checked = new CountDownLatch(3);
        AtomicInteger checks = new AtomicInteger();
        LongWorkWatcher.Watched work = now -> {
            checks.incrementAndGet();
            checked.countDown();
        };
        watcher.watch(work);
        assertTrue(checked.await(5, TimeUnit.SECONDS), "checked again and again while watched");
        watcher.unwatch(work);
        Thread.sleep(20);
        int after = checks.get();
        Thread.sleep(100);
        assertEquals(after, checks.get(), "no check once unwatched");
    }

    @Test
    void anIdleWatcherParksAndWakesForNewWork() throws Exception {
        LongWorkWatcher watcher = new LongWorkWatcher("test-idle", 5, 50);
        awaitParked(watcher);
        CountDownLatch checked = new CountDownLatch(1);
        LongWorkWatcher.Watched work = now -> checked.countDown();
        watcher.watch(work);
        assertTrue(checked.await(5, TimeUnit.SECONDS), "work watched after a park is checked");
        assertFalse(watcher.isParked(), "awake while work is watched");
        watcher.unwatch(work);
        awaitParked(watcher);
    }

    private static void awaitParked(LongWorkWatcher watcher) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!watcher.isParked()) {
            assertTrue(System.nanoTime() < deadline, "parked after its idle time with nothing to watch");
            Thread.sleep(10);
        }
    }
}
