package io.wsp.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsp.protocol.Labels;
import io.wsp.server.agent.AgentConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentPoolTest {

    private static final long HOLD = Duration.ofSeconds(60).toNanos();
    /** Beyond one hold time after the pool's window started. */
    private static final long STEP = HOLD + HOLD / 10;

    private final ClosingSockets sockets = new ClosingSockets();
    /** Before any pool's first window starts. */
    private final long t0 = System.nanoTime();

    /** Agent "a" announcing {@code idleSize}, with {@code total} connections of which {@code busy} are busy. */
    private AgentPool pool(int idleSize, int total, int busy) {
        AgentPool pool = new AgentPool("a", idleSize);
        for (int i = 0; i < total; i++) {
            AgentConnection c = sockets.connection("a", idleSize, Labels.NONE);
            pool.connections.add(c);
            if (i >= busy) {
                pool.idle.addFirst(c);
            }
        }
        return pool;
    }

    /** Hands {@code n} busy connections back, as the registry does when their responses end. */
    private static void release(AgentPool pool, int n) {
        List<AgentConnection> busy = new ArrayList<>(pool.connections);
        busy.removeAll(pool.idle);
        busy.stream().limit(n).forEach(pool.idle::addFirst);
    }

    @Test
    void aSteadyLoadKeepsItsBusiestMomentPlusTheIdleSize() {
        // The agent keeps 2 idle on top of 4 busy: 6. The busy count dips to 1 between requests.
        AgentPool pool = pool(2, 6, 4);
        pool.noteBusy();
        release(pool, 3);
        assertEquals(0, pool.surplus(t0 + HOLD / 2, HOLD), "the agent would dial again what was closed now");
    }

    @Test
    void aPeakIsKeptForOneToTwoHoldTimesThenForgotten() {
        AgentPool pool = pool(2, 6, 4);
        pool.noteBusy();
        release(pool, 3);
        assertEquals(0, pool.surplus(t0 + STEP, HOLD), "the peak was in the window just ended");
        assertEquals(3, pool.surplus(t0 + 2 * STEP, HOLD), "6 connections, 1 busy, 2 to keep idle");
    }

    @Test
    void aLaterPeakIsKeptAsLong() {
        AgentPool pool = pool(1, 5, 2);
        pool.noteBusy();
        assertEquals(2, pool.surplus(t0 + STEP, HOLD));
        pool.idle.clear();
        pool.noteBusy();
        release(pool, 5);
        assertEquals(0, pool.surplus(t0 + 2 * STEP, HOLD));
        assertEquals(4, pool.surplus(t0 + 3 * STEP, HOLD));
    }

    @Test
    void moreBusyThanTheRecordedPeakIsKeptToo() {
        // A new connection handed straight to a waiting request is busy without having been taken idle.
        AgentPool pool = pool(1, 4, 3);
        pool.noteBusy();
        pool.connections.add(sockets.connection("a", 1, Labels.NONE));
        assertEquals(0, pool.surplus(t0 + 1, HOLD));
    }

    @Test
    void withoutAnyLoadOnlyTheIdleSizeIsKept() {
        assertEquals(3, pool(2, 5, 0).surplus(t0 + 1, HOLD));
    }
}
