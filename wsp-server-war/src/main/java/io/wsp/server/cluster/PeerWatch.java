package io.wsp.server.cluster;

import io.wsp.server.registry.PeerNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps a request forwarded to another node from waiting on a node that is gone without a word.
 * A frozen process or a vanished host refuses nothing: the request just waits for its response
 * head, and the cluster's own judgement ({@link ClusterMembership#NODE_TIMEOUT}) takes seconds. So
 * while requests wait on a node, the node must keep answering a probe of its health page, as
 * itself, within half of {@code wsp.timeout}; one that does not is left out and every request
 * still waiting on it fails at once, to be carried elsewhere where that is safe. A node that is
 * only slow to answer (a slow internal API, an agent pool all busy) answers the probe, and its
 * requests wait on. Requests whose response has begun are not watched: the node proved alive, and
 * a stream's pauses are the internal API's.
 *
 * <p>Threads: requests are added and removed on any thread; {@link #tick} runs on the watch's own
 * thread (or a test's), probes answer on the probe client's threads.
 */
final class PeerWatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PeerWatch.class.getName());
    /** Below these, probes would time out on a live node that is merely busy (a GC pause, a full CPU). */
    static final Duration MIN_PROBE_TIMEOUT = Duration.ofMillis(100);
    static final Duration MIN_WAIT = Duration.ofMillis(50);

    /** Asks {@code peer} whether it is there, and still itself, within a timeout: completes with the answer. */
    @FunctionalInterface
    interface Prober {
        CompletableFuture<Boolean> probe(PeerNode peer, Duration timeout);
    }

    /** A request waiting for its response head. */
    private record Waiting(PeerNode peer, long since, Consumer<IOException> abort) {
    }

    private final Prober prober;
    private final Consumer<PeerNode> unresponsive;
    /** A request is probed for once it waited this long, at the next tick. */
    private final long waitNanos;
    private final long tickNanos;
    private final Duration probeTimeout;
    private final Map<Object, Waiting> waiting = new ConcurrentHashMap<>();
    /** Peers (by id) with a probe under way: one at a time per peer, however many requests wait on it. */
    private final Set<String> probing = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "wsp-peer-watch");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param timeout      {@code wsp.timeout}: the longest a request waits on a node that is gone.
     *                     A request counts as waiting after a quarter of it, the next tick comes
     *                     within an eighth, and the probe has half: seven eighths in all, the
     *                     rest for failing the request and answering its caller.
     * @param unresponsive told of each node that failed its probe, before its requests are failed
     */
    PeerWatch(Duration timeout, Prober prober, Consumer<PeerNode> unresponsive) {
        this.prober = prober;
        this.unresponsive = unresponsive;
        this.waitNanos = Math.max(timeout.toNanos() / 4, MIN_WAIT.toNanos());
        this.tickNanos = waitNanos / 2;
        this.probeTimeout = Duration.ofNanos(Math.max(timeout.toNanos() / 2, MIN_PROBE_TIMEOUT.toNanos()));
    }

    void start() {
        thread.scheduleWithFixedDelay(this::tickSafely, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A task that throws is never run again by its executor: a failure here must not end the
     * watch. Package-private for tests.
     */
    void tickSafely() {
        try {
            tick(System.nanoTime());
        } catch (RuntimeException e) {
            probing.clear();
            LOG.log(System.Logger.Level.WARNING, "cluster: watching forwarded requests failed: {0}", e.toString());
        }
    }

    /**
     * Watches a request sent to {@code peer} now, which {@code abort} fails; returns what to run
     * once its response began or it ended, whichever comes first (running it twice is harmless).
     */
    Runnable watch(PeerNode peer, Consumer<IOException> abort) {
        return watch(peer, abort, System.nanoTime());
    }

    /** As {@link #watch(PeerNode, Consumer)}, sent at {@code now}; package-private for tests. */
    Runnable watch(PeerNode peer, Consumer<IOException> abort, long now) {
        Object key = new Object();
        waiting.put(key, new Waiting(peer, now, abort));
        return () -> waiting.remove(key);
    }

    /** Probes each peer on which a request has waited long enough; package-private for tests. */
    void tick(long now) {
        for (Waiting w : waiting.values()) {
            if (now - w.since() >= waitNanos && probing.add(w.peer().id())) {
                PeerNode peer = w.peer();
                prober.probe(peer, probeTimeout).whenComplete((alive, failure) -> {
                    probing.remove(peer.id());
                    if (!Boolean.TRUE.equals(alive)) {
                        failWaitingOn(peer);
                    }
                });
            }
        }
    }

    private void failWaitingOn(PeerNode peer) {
        unresponsive.accept(peer);
        List<Map.Entry<Object, Waiting>> onPeer = waiting.entrySet().stream()
                .filter(e -> e.getValue().peer().id().equals(peer.id())).toList();
        if (onPeer.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "cluster: node {0} at {1} did not answer its probe within {2} ms: failing the "
                + "{3} requests waiting on it", peer.id(), peer.url(), String.valueOf(probeTimeout.toMillis()),
                String.valueOf(onPeer.size()));
        IOException why = new IOException("node did not answer its health probe within " + probeTimeout.toMillis() + " ms");
        for (Map.Entry<Object, Waiting> e : onPeer) {
            if (waiting.remove(e.getKey()) != null) {
                e.getValue().abort().accept(why);
            }
        }
    }

    /** How many requests wait for their response head; package-private for tests. */
    int waitingCount() {
        return waiting.size();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
