package io.wsp.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.protocol.Labels;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.agent.AgentConnection;
import io.wsp.server.agent.ConnectionState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalAgentRegistryTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ClosingSockets sockets = new ClosingSockets();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private AgentConnection connection(String agent, int idleSize) {
        return connection(agent, idleSize, Labels.NONE);
    }

    private AgentConnection connection(String agent, int idleSize, Labels labels) {
        return sockets.connection(agent, idleSize, labels);
    }

    /** Agent "a"'s only connection, registered and then acquired: busy. */
    private AgentConnection addedAndTaken(LocalAgentRegistry registry) {
        AgentConnection c = connection("a", 1);
        registry.add(c);
        assertSame(c, registry.acquire(LONG, AgentSelector.ANY).join());
        return c;
    }

    /** Each pool as "id idleSize idle busy". */
    private static List<String> counts(LocalAgentRegistry registry) {
        return registry.status().stream().map(p -> p.agentId() + " " + p.idleSize() + " " + p.idle() + " " + p.busy())
                .toList();
    }

    @Test
    void acquireFailsAtOnceWhenNoAgentIsConnected() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        CompletableFuture<AgentConnection> f = registry.acquire(LONG, AgentSelector.ANY);
        assertTrue(f.isCompletedExceptionally());
        assertEquals(AcquireException.Reason.NO_AGENT, reason(f));
    }

    @Test
    void acquireTakesAnIdleConnectionAndMarksItBusy() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection c = connection("a", 1);
        registry.add(c);
        assertSame(c, registry.acquire(LONG, AgentSelector.ANY).join());
        assertEquals(ConnectionState.BUSY, c.state());
        assertEquals(List.of("a 1 0 1"), counts(registry));
    }

    @Test
    void allBusyFailsAfterTheTimeout() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("a", 1));
        registry.acquire(LONG, AgentSelector.ANY).join();
        CompletableFuture<AgentConnection> waiting = registry.acquire(Duration.ofMillis(20), AgentSelector.ANY);
        assertEquals(AcquireException.Reason.ALL_BUSY, reason(waiting));
    }

    @Test
    void releaseHandsTheConnectionToTheOldestWaiter() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection c = addedAndTaken(registry);
        CompletableFuture<AgentConnection> first = registry.acquire(LONG, AgentSelector.ANY);
        CompletableFuture<AgentConnection> second = registry.acquire(LONG, AgentSelector.ANY);
        registry.release(c);
        assertSame(c, first.getNow(null));
        assertFalse(second.isDone());
        assertEquals(ConnectionState.BUSY, c.state());
    }

    @Test
    void beyondTheWaitingLimitRequestsAreRefusedAtOnce() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 2, timer);
        registry.add(connection("a", 1));
        registry.acquire(LONG, AgentSelector.ANY).join();
        CompletableFuture<AgentConnection> first = registry.acquire(LONG, AgentSelector.ANY);
        registry.acquire(LONG, AgentSelector.ANY);
        assertEquals(AcquireException.Reason.QUEUE_FULL, reason(registry.acquire(LONG, AgentSelector.ANY)));
        first.cancel(false);
        assertFalse(registry.acquire(LONG, AgentSelector.ANY).isDone(), "a place freed by a caller that gave up is reused");
    }

    @Test
    void aWaiterThatGaveUpIsSkipped() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection c = addedAndTaken(registry);
        CompletableFuture<AgentConnection> gaveUp = registry.acquire(LONG, AgentSelector.ANY);
        CompletableFuture<AgentConnection> patient = registry.acquire(LONG, AgentSelector.ANY);
        gaveUp.cancel(false);
        registry.release(c);
        assertSame(c, patient.getNow(null));
    }

    @Test
    void aConnectionClosingWhenReleasedIsNeitherIdleNorHandedToAWaiter() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection c = addedAndTaken(registry);
        CompletableFuture<AgentConnection> waiting = registry.acquire(LONG, AgentSelector.ANY);
        c.close(WspProtocol.CLOSE_REQUEST_ABORTED, "caller went away");
        registry.release(c);
        assertFalse(waiting.isDone(), "not given a connection that is closing");
        assertEquals(List.of("a 1 0 1"), counts(registry), "busy until its end removes it");
        registry.remove(c);
        assertEquals(List.of(), counts(registry));
    }

    @Test
    void releaseWithoutWaitersMakesTheConnectionIdle() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection c = connection("a", 1);
        registry.add(c);
        registry.release(registry.acquire(LONG, AgentSelector.ANY).join());
        assertEquals(ConnectionState.IDLE, c.state());
        assertEquals(List.of("a 1 1 0"), counts(registry));
    }

    @Test
    void aNewConnectionServesAWaitingRequestRightAway() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("a", 1));
        registry.acquire(LONG, AgentSelector.ANY).join();
        CompletableFuture<AgentConnection> waiting = registry.acquire(LONG, AgentSelector.ANY);
        AgentConnection fresh = connection("a", 1);
        registry.add(fresh);
        assertSame(fresh, waiting.getNow(null));
    }

    @Test
    void removingTheLastConnectionDropsThePoolAndFailsWaiters() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection c = addedAndTaken(registry);
        CompletableFuture<AgentConnection> waiting = registry.acquire(LONG, AgentSelector.ANY);
        registry.remove(c);
        registry.remove(c);
        assertEquals(List.of(), registry.status());
        assertEquals(AcquireException.Reason.NO_AGENT, reason(waiting));
        registry.release(c);
        assertEquals(List.of(), registry.status(), "a removed connection never comes back");
    }

    @Test
    void aRequestForOneAgentGetsOnlyThatAgentsConnection() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("a", 1));
        AgentConnection b = connection("b", 1);
        registry.add(b);
        assertSame(b, registry.acquire(LONG, AgentSelector.id("b")).join());
        CompletableFuture<AgentConnection> waitingForB = registry.acquire(LONG, AgentSelector.id("b"));
        assertFalse(waitingForB.isDone(), "a's idle connection is not b's");
        registry.release(b);
        assertSame(b, waitingForB.getNow(null));
    }

    @Test
    void aReleasedConnectionSkipsWaitersForOtherAgents() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection a = connection("a", 1);
        AgentConnection b = connection("b", 1);
        registry.add(a);
        registry.add(b);
        registry.acquire(LONG, AgentSelector.id("a")).join();
        registry.acquire(LONG, AgentSelector.id("b")).join();
        CompletableFuture<AgentConnection> forB = registry.acquire(LONG, AgentSelector.id("b"));
        CompletableFuture<AgentConnection> forAny = registry.acquire(LONG, AgentSelector.ANY);
        registry.release(a);
        assertFalse(forB.isDone());
        assertSame(a, forAny.getNow(null));
    }

    @Test
    void anAgentThatIsNotConnectedFailsAtOnceNamingIt() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("a", 1));
        CompletableFuture<AgentConnection> f = registry.acquire(LONG, AgentSelector.id("ghost"));
        assertEquals(AcquireException.Reason.NO_AGENT, reason(f));
        try {
            f.join();
        } catch (CompletionException e) {
            assertTrue(e.getCause().getMessage().contains("'ghost'"), e.getCause().getMessage());
        }
    }

    @Test
    void waitersForAnAgentFailWhenItLeavesWhileOthersKeepWaiting() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection a = connection("a", 1);
        registry.add(a);
        registry.add(connection("b", 1));
        registry.acquire(LONG, AgentSelector.id("a")).join();
        registry.acquire(LONG, AgentSelector.id("b")).join();
        CompletableFuture<AgentConnection> forA = registry.acquire(LONG, AgentSelector.id("a"));
        CompletableFuture<AgentConnection> forAny = registry.acquire(LONG, AgentSelector.ANY);
        registry.remove(a);
        assertEquals(AcquireException.Reason.NO_AGENT, reason(forA));
        assertFalse(forAny.isDone(), "agent b may still free a connection");
    }

    @Test
    void theAgentWithFewestRequestsInFlightIsChosen() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        for (int i = 0; i < 3; i++) {
            registry.add(connection("busy", 3));
        }
        registry.add(connection("quiet", 3));
        registry.add(connection("quiet", 3));
        registry.acquire(LONG, AgentSelector.id("busy")).join();
        registry.acquire(LONG, AgentSelector.id("busy")).join();
        // busy has 2 in flight and quiet none: the next two go to quiet, which then has no idle one.
        assertEquals("quiet", registry.acquire(LONG, AgentSelector.ANY).join().agentId());
        assertEquals("quiet", registry.acquire(LONG, AgentSelector.ANY).join().agentId());
        assertEquals("busy", registry.acquire(LONG, AgentSelector.ANY).join().agentId(), "only busy has an idle one left");
    }

    @Test
    void loadSpreadsOverAgents() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("a", 1));
        registry.add(connection("b", 1));
        Set<String> served = new HashSet<>();
        served.add(registry.acquire(LONG, AgentSelector.ANY).join().agentId());
        served.add(registry.acquire(LONG, AgentSelector.ANY).join().agentId());
        assertEquals(Set.of("a", "b"), served, "with one connection each, two requests need both agents");
    }

    @Test
    void surplusIdleConnectionsAreClosedAfterTheIdleTimeoutButTheIdlePoolStays() {
        LocalAgentRegistry registry = new LocalAgentRegistry(Duration.ZERO, Duration.ZERO, 100, timer);
        List<AgentConnection> all = List.of(connection("a", 1), connection("a", 1), connection("a", 1));
        all.forEach(registry::add);
        registry.closeSurplusIdle();
        assertEquals(List.of("a 1 1 0"), counts(registry));
        assertEquals(2, sockets.closedCount());
    }

    @Test
    void anIdleConnectionSilentForTwoPingIntervalsIsDropped() {
        // A nanosecond interval: any connection is "silent" by the time the check runs.
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ofNanos(1), 100, timer);
        AgentConnection silent = connection("a", 1);
        registry.add(silent);
        registry.checkLiveness();
        assertEquals(List.of(), registry.status());
        assertTrue(sockets.wasClosed(silent));
    }

    @Test
    void connectionsHeardFromWithinTheIntervalAndBusyOnesAreKept() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, LONG, 100, timer);
        registry.add(connection("a", 1));
        registry.add(connection("a", 1));
        registry.acquire(LONG, AgentSelector.ANY).join();
        registry.checkLiveness();
        assertEquals(List.of("a 1 1 1"), counts(registry));
    }

    @Test
    void busyConnectionsAreNeverClosedAsSurplus() {
        LocalAgentRegistry registry = new LocalAgentRegistry(Duration.ZERO, Duration.ZERO, 100, timer);
        registry.add(connection("a", 0));
        registry.add(connection("a", 0));
        registry.acquire(LONG, AgentSelector.ANY).join();
        registry.closeSurplusIdle();
        assertEquals(List.of("a 0 0 1"), counts(registry));
    }

    private static AcquireException.Reason reason(CompletableFuture<AgentConnection> f) {
        return failure(f).reason();
    }

    private static String message(CompletableFuture<AgentConnection> f) {
        return failure(f).getMessage();
    }

    private static AcquireException failure(CompletableFuture<AgentConnection> f) {
        try {
            f.join();
            throw new AssertionError("expected a failure");
        } catch (CompletionException e) {
            return (AcquireException) e.getCause();
        }
    }


    @Test
    void aLabelSelectorPicksOnlyAgentsWithThoseLabelsAndSaysWhatWasAskedWhenNoneHas() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("prod-1", 1, Labels.parse("env=prod,region=eu")));
        registry.add(connection("test-1", 1, Labels.parse("env=test,region=eu")));
        AgentSelector prod = new AgentSelector(null, Labels.parse("env=prod"));
        assertEquals("prod-1", registry.acquire(LONG, prod).join().agentId());
        assertEquals("test-1", registry.acquire(LONG, new AgentSelector(null, Labels.parse("region=eu"))).join().agentId());
        CompletableFuture<AgentConnection> staging = registry.acquire(LONG, new AgentSelector(null, Labels.parse("env=staging")));
        assertEquals(AcquireException.Reason.NO_AGENT, reason(staging));
        assertTrue(message(staging).contains("env=staging"), message(staging));
        CompletableFuture<AgentConnection> mismatch = registry.acquire(LONG, new AgentSelector("test-1", Labels.parse("env=prod")));
        assertEquals(AcquireException.Reason.NO_AGENT, reason(mismatch), "id and labels must both match");
    }

    @Test
    void aWaiterWithASelectorTakesOnlyAMatchingConnectionAndFailsWhenTheLastMatchLeaves() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        AgentConnection prod = connection("prod-1", 1, Labels.parse("env=prod"));
        AgentConnection test = connection("test-1", 1, Labels.parse("env=test"));
        registry.add(prod);
        registry.add(test);
        AgentSelector wantsProd = new AgentSelector(null, Labels.parse("env=prod"));
        registry.acquire(LONG, wantsProd).join();
        CompletableFuture<AgentConnection> waiting = registry.acquire(LONG, wantsProd);
        AgentConnection anyTaken = registry.acquire(LONG, AgentSelector.ANY).join();
        assertSame(test, anyTaken);
        registry.release(anyTaken);
        assertFalse(waiting.isDone(), "a test connection must not serve a prod request");
        registry.remove(prod);
        assertEquals(AcquireException.Reason.NO_AGENT, reason(waiting));
    }

    @Test
    void poolStatusShowsTheLabelsOfTheAgentsLatestConnection() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("a", 1, Labels.parse("v=1")));
        registry.add(connection("a", 1, Labels.parse("v=2")));
        assertEquals(Labels.parse("v=2"), registry.status().get(0).labels());
    }

    @Test
    void statusSaysWhenAnAgentConnectedAndFromWhere() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        Instant before = Instant.now();
        registry.add(connection("a", 1));
        PoolStatus a = registry.status().get(0);
        assertEquals("192.0.2.1", a.remoteAddress());
        assertFalse(a.connectedSince().isBefore(before));
    }

    @Test
    void waitingCountsRequestsQueuedForAConnection() {
        LocalAgentRegistry registry = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
        registry.add(connection("a", 1));
        registry.acquire(LONG, AgentSelector.ANY);
        CompletableFuture<AgentConnection> queued = registry.acquire(LONG, AgentSelector.ANY);
        assertEquals(1, registry.waiting());
        queued.cancel(false);
        assertEquals(0, registry.waiting());
    }
}
