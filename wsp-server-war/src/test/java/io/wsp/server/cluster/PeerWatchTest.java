package io.wsp.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.server.registry.PeerNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives {@link PeerWatch#tick} by hand with made-up times and probe answers; start() is never called. */
class PeerWatchTest {

    private static final long T0 = 1_000_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final PeerNode A = new PeerNode("aaaa", URI.create("http://a.example/"));
    private static final PeerNode B = new PeerNode("bbbb", URI.create("http://b.example/"));

    private final List<PeerNode> probed = new ArrayList<>();
    private final List<Duration> probeTimeouts = new ArrayList<>();
    private final List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    private final List<PeerNode> unresponsive = new ArrayList<>();
    /** With wsp.timeout 1 s: a request counts as waiting after 250 ms; the probe has 500 ms. */
    private final PeerWatch watch = new PeerWatch(Duration.ofSeconds(1), (peer, timeout) -> {
        probed.add(peer);
        probeTimeouts.add(timeout);
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        answers.add(answer);
        return answer;
    }, unresponsive::add);

    @AfterEach
    void close() {
        watch.close();
    }

    @Test
    void aRequestWaitingAQuarterOfTheTimeoutHasItsNodeProbedWithHalfOfIt() {
        watch.watch(A, e -> { }, T0);
        watch.tick(T0 + 249 * MS);
        assertEquals(List.of(), probed, "not waiting long enough yet");
        watch.tick(T0 + 250 * MS);
        assertEquals(List.of(A), probed);
        assertEquals(List.of(Duration.ofMillis(500)), probeTimeouts);
    }

    @Test
    void aNodeThatFailsItsProbeIsLeftOutAndEveryRequestWaitingOnItFails() {
        List<String> failedA = new ArrayList<>();
        List<String> failedB = new ArrayList<>();
        watch.watch(A, e -> failedA.add(e.getMessage()), T0);
        watch.watch(A, e -> failedA.add(e.getMessage()), T0 + 200 * MS);
        watch.watch(B, e -> failedB.add(e.getMessage()), T0);
        watch.tick(T0 + 300 * MS);
        assertEquals(List.of(A, B), sorted(probed), "one probe per node, however many requests wait on it");

        answers.get(probed.indexOf(A)).complete(false);
        assertEquals(List.of(A), unresponsive);
        assertEquals(2, failedA.size(), "the younger request fails too: its node is gone");
        assertTrue(failedA.get(0).contains("did not answer its health probe within 500 ms"), failedA.get(0));
        assertEquals(List.of(), failedB);
        assertEquals(1, watch.waitingCount());
    }

    @Test
    void aNodeThatAnswersItsProbeKeepsItsRequestsWaitingAndIsProbedAgainLater() {
        List<IOException> failed = new ArrayList<>();
        watch.watch(A, failed::add, T0);
        watch.tick(T0 + 250 * MS);
        watch.tick(T0 + 500 * MS);
        assertEquals(1, probed.size(), "no second probe while one is under way");
        answers.get(0).complete(true);
        assertEquals(List.of(), failed);
        assertEquals(List.of(), unresponsive);
        watch.tick(T0 + 750 * MS);
        assertEquals(2, probed.size(), "a node can freeze after it answered: probed as long as requests wait on it");
    }

    @Test
    void aRequestWhoseResponseBeganIsNoLongerWatched() {
        List<IOException> failed = new ArrayList<>();
        Runnable answered = watch.watch(A, failed::add, T0);
        answered.run();
        answered.run();
        watch.tick(T0 + 1000 * MS);
        assertEquals(List.of(), probed);
        assertEquals(0, watch.waitingCount());
    }

    @Test
    void aProbeThatFailsOutrightCountsAsNoAnswer() {
        List<IOException> failed = new ArrayList<>();
        watch.watch(A, failed::add, T0);
        watch.tick(T0 + 250 * MS);
        answers.get(0).completeExceptionally(new IOException("connection refused"));
        assertEquals(1, failed.size());
        assertEquals(List.of(A), unresponsive);
    }

    @Test
    void shortTimeoutsAreFlooredSoABusyLiveNodeIsNotTakenForAGoneOne() {
        List<Duration> timeouts = new ArrayList<>();
        try (PeerWatch tight = new PeerWatch(Duration.ofMillis(40), (peer, timeout) -> {
            timeouts.add(timeout);
            return new CompletableFuture<>();
        }, p -> { })) {
            tight.watch(A, e -> { }, T0);
            tight.tick(T0 + PeerWatch.MIN_WAIT.toNanos() - 1);
            assertEquals(List.of(), timeouts);
            tight.tick(T0 + PeerWatch.MIN_WAIT.toNanos());
            assertEquals(List.of(PeerWatch.MIN_PROBE_TIMEOUT), timeouts);
        }
    }

    @Test
    void aProbeThatThrowsDoesNotEndTheWatch() {
        List<PeerNode> asked = new ArrayList<>();
        try (PeerWatch fragile = new PeerWatch(Duration.ofSeconds(1), (peer, timeout) -> {
            asked.add(peer);
            if (asked.size() == 1) {
                throw new IllegalStateException("a bug of ours");
            }
            return new CompletableFuture<>();
        }, p -> { })) {
            fragile.watch(A, e -> { }, System.nanoTime() - Duration.ofSeconds(1).toNanos());
            fragile.tickSafely();
            fragile.tickSafely();
            assertEquals(List.of(A, A), asked, "the node is probed again at the next tick");
        }
    }

    private static List<PeerNode> sorted(List<PeerNode> nodes) {
        return nodes.stream().sorted(java.util.Comparator.comparing(PeerNode::id)).toList();
    }
}
