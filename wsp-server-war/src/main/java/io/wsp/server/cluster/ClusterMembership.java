package io.wsp.server.cluster;

import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PeerNode;
import io.wsp.server.registry.PoolStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * This node's place in the cluster: publishes what it holds every {@link #PUBLISH_INTERVAL} and
 * reads what the others published, keeping the live ones.
 *
 * <p>A peer is live while its publication keeps changing (its sequence number grows each second)
 * or, once it stalled for {@link #PROBE_AFTER}, while it answers this node's probe of its
 * {@code health/live} with its own id: one that does neither for {@link #NODE_TIMEOUT} is dropped,
 * whatever the grid still holds. The probe keeps
 * liveness independent of the grid, whose calls may block for as long as a member that vanished
 * without closing its connections (a frozen process, a host gone) is not yet declared dead.
 *
 * <p>Threads: grid calls run on a thread of their own, one round at a time, never on request
 * threads or the shared timer; everything else (the views, joins and leaves, probes) on the
 * cluster thread, which therefore keeps judging liveness while a grid call hangs.
 */
public final class ClusterMembership implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClusterMembership.class.getName());
    /** Often enough that a new agent is seen cluster-wide within about a second. */
    static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(1);
    /** Five missed publications: a long pause of a live node is not taken for its death. */
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(5);
    /** A live node answers its health page within milliseconds; a second is already a bad sign. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    /** Two missed publications: probed from then on, until it publishes again or is dropped. */
    static final Duration PROBE_AFTER = Duration.ofSeconds(2);

    private final String id;
    private final URI url;
    private final Grid grid;
    private final Supplier<List<PoolStatus>> localPools;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Consumer<PeerNode>> leaveListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "wsp-cluster");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService gridThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wsp-cluster-grid");
        t.setDaemon(true);
        return t;
    });
    /** Set while a grid round runs; when (System.nanoTime) it started. */
    private final AtomicBoolean gridBusy = new AtomicBoolean();
    private volatile long gridRoundStarted;
    private final HttpClient probes = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(PROBE_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    /** Per peer: when (System.nanoTime) it last answered a probe as itself. Written by the probes' callbacks. */
    private final Map<String, Long> answered = new ConcurrentHashMap<>();

    /**
     * Peers a request could not connect to, left out until they publish again: a node that died
     * is refused the next request at once, not only once its publication goes stale.
     */
    private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
    /** This node's latest publication. */
    private volatile NodeState self;
    /** The live peers, in the order first seen. Replaced whole by the cluster thread. */
    private volatile List<NodeState> peers = List.of();

    // Grid thread only.
    private long seq;
    /** Whether the last grid round failed, so a failure is logged once, not every second. */
    private boolean failing;

    // Cluster thread only.
    /** Whether a hanging grid round was reported. */
    private boolean stuckReported;
    /** Per peer: the last sequence number seen and when (System.nanoTime) it last changed. */
    private final Map<String, long[]> heard = new LinkedHashMap<>();
    private final Map<String, NodeState> live = new LinkedHashMap<>();

    ClusterMembership(URI url, Grid grid, Supplier<List<PoolStatus>> localPools) {
        // New at every start: a restarted node is a new member, its predecessor's entry just expires.
        this.id = UUID.randomUUID().toString().substring(0, 8);
        this.url = url;
        this.grid = grid;
        this.localPools = localPools;
        this.self = new NodeState(id, url, List.of());
    }

    void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, PUBLISH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "cluster: this node is {0} at {1}", id, url);
    }

    /** Publishes at once rather than at the next tick: an agent came or went. */
    void publishSoon() {
        try {
            thread.execute(this::startGridRound);
        } catch (RejectedExecutionException stopping) {
            // Closed: the entry is withdrawn already.
        }
    }

    /** Called on the cluster thread with each peer that stopped publishing or withdrew. */
    void onLeave(Consumer<PeerNode> listener) {
        leaveListeners.add(listener);
    }

    public String id() {
        return id;
    }

    NodeState self() {
        return self;
    }

    /** The live peers, minus those a request found unreachable since their last publication. */
    List<NodeState> peers() {
        List<NodeState> all = peers;
        return unreachable.isEmpty() ? all : all.stream().filter(p -> !unreachable.contains(p.id())).toList();
    }

    /** A connection to {@code peer} was refused or timed out: no request goes there until it publishes again. */
    void unreachable(PeerNode peer) {
        if (unreachable.add(peer.id())) {
            LOG.log(System.Logger.Level.WARNING, "cluster: node {0} at {1} unreachable: left out until it publishes again",
                    peer.id(), peer.url());
        }
    }

    private void tick() {
        if (closed.get()) {
            return;
        }
        // A periodic task that throws is never run again: this node would stop publishing for good.
        try {
            startGridRound();
            long now = System.nanoTime();
            probe(now);
            if (gridBusy.get() && now - gridRoundStarted >= NODE_TIMEOUT.toNanos() && !stuckReported) {
                stuckReported = true;
                LOG.log(System.Logger.Level.WARNING, "cluster: the data grid has not answered for {0} s; peers are judged "
                        + "by their probes meanwhile", String.valueOf(NODE_TIMEOUT.toSeconds()));
            }
            expire(now);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster: a round of the membership failed: {0}", e.toString());
        }
    }

    /** Publishes this node's state and reads everyone's, on the grid thread, unless a round is still running. */
    private void startGridRound() {
        if (closed.get() || !gridBusy.compareAndSet(false, true)) {
            return;
        }
        gridRoundStarted = System.nanoTime();
        try {
            gridThread.execute(this::gridRound);
        } catch (RejectedExecutionException stopping) {
            gridBusy.set(false);
        }
    }

    private void gridRound() {
        try {
            NodeState state = new NodeState(id, url, localPools.get().stream()
                    .map(p -> new NodeState.Agent(p.agentId(), p.labels(), p.idle(), p.busy())).toList());
            self = state;
            // Checked again here: publishing after the withdrawal would bring this node back for 5 s.
            if (closed.get()) {
                return;
            }
            grid.publish(id, NodeStateJson.encode(state, ++seq));
            Map<String, String> entries = grid.read();
            thread.execute(() -> {
                stuckReported = false;
                update(entries, System.nanoTime());
            });
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "cluster: the data grid answers again");
            }
        } catch (RejectedExecutionException stopping) {
            // Closed meanwhile.
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, "cluster: the data grid failed: {0}", e.toString());
            }
        } finally {
            gridBusy.set(false);
        }
    }

    /**
     * Asks each live peer whose publication stalled whether it is still there, and still itself.
     * Peers that publish are left alone: a node whose publications go through needs no probe, and
     * a node just starting gets no request before its container is ready.
     */
    private void probe(long now) {
        for (NodeState peer : live.values()) {
            long[] last = heard.get(peer.id());
            if (last == null || now - last[1] < PROBE_AFTER.toNanos()) {
                continue;
            }
            probe(peer.peer(), PROBE_TIMEOUT);
        }
    }

    /**
     * Asks {@code peer} on its health page whether it is there, and still itself (not a node
     * restarted at its address), within {@code timeout}; completes with the answer, never
     * exceptionally. An answer counts as a sign of life.
     */
    CompletableFuture<Boolean> probe(PeerNode peer, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(peer.url().resolve("health/live")).timeout(timeout).build();
        String itself = "\"node\":\"" + peer.id() + "\"";
        // Bounded as a whole, connecting included (a vanished host answers no SYN either).
        return probes.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((r, failure) -> {
                    boolean alive = r != null && r.statusCode() == 200 && r.body().contains(itself);
                    if (alive) {
                        probeAnswered(peer.id(), System.nanoTime());
                    }
                    return alive;
                });
    }

    /** {@code peer} answered a probe as itself at {@code now}; package-private for tests. */
    void probeAnswered(String peer, long now) {
        answered.put(peer, now);
    }

    /** Takes in the grid's entries read at {@code now}; package-private for tests. */
    void update(Map<String, String> entries, long now) {
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (e.getKey().equals(id)) {
                continue;
            }
            NodeStateJson.Publication p;
            try {
                p = NodeStateJson.decode(e.getValue());
            } catch (IllegalArgumentException bad) {
                LOG.log(System.Logger.Level.DEBUG, "cluster: entry {0} ignored: {1}", e.getKey(), bad.getMessage());
                continue;
            }
            long[] last = heard.get(e.getKey());
            if (last == null) {
                heard.put(e.getKey(), new long[] {p.seq(), now});
                if (!live.containsKey(e.getKey())) {
                    LOG.log(System.Logger.Level.INFO, "cluster: node {0} at {1} joined", e.getKey(), p.state().url());
                }
                live.put(e.getKey(), p.state());
            } else if (last[0] != p.seq()) {
                last[0] = p.seq();
                last[1] = now;
                unreachable.remove(e.getKey());
                if (!live.containsKey(e.getKey())) {
                    LOG.log(System.Logger.Level.INFO, "cluster: node {0} at {1} is back", e.getKey(), p.state().url());
                }
                live.put(e.getKey(), p.state());
            }
        }
        List<NodeState> gone = new ArrayList<>();
        heard.entrySet().removeIf(h -> {
            // An empty read is a failed one: this node's own entry is always there.
            boolean withdrawn = !entries.isEmpty() && !entries.containsKey(h.getKey());
            if (withdrawn) {
                leave(h.getKey(), "withdrew", gone);
            }
            return withdrawn;
        });
        expire(now, gone);
    }

    /** Drops the peers neither heard nor answering for {@link #NODE_TIMEOUT}; package-private for tests. */
    void expire(long now) {
        expire(now, new ArrayList<>());
    }

    private void expire(long now, List<NodeState> gone) {
        for (Map.Entry<String, long[]> h : heard.entrySet()) {
            long lastSign = Math.max(h.getValue()[1], answered.getOrDefault(h.getKey(), Long.MIN_VALUE));
            if (now - lastSign >= NODE_TIMEOUT.toNanos()) {
                leave(h.getKey(), "silent for " + NODE_TIMEOUT.toSeconds() + " s", gone);
            }
        }
        peers = List.copyOf(live.values());
        for (NodeState state : gone) {
            for (Consumer<PeerNode> listener : leaveListeners) {
                listener.accept(state.peer());
            }
        }
    }

    private void leave(String peer, String why, List<NodeState> gone) {
        unreachable.remove(peer);
        answered.remove(peer);
        NodeState state = live.remove(peer);
        if (state != null) {
            gone.add(state);
            LOG.log(System.Logger.Level.WARNING, "cluster: node {0} at {1} left ({2})", peer, state.url(), why);
        }
    }

    /** Stops publishing and withdraws this node's entry, so the others drop it at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        thread.shutdownNow();
        gridThread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
            gridThread.awaitTermination(2, TimeUnit.SECONDS);
            grid.withdraw(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster: withdrawing this node failed: {0}", e.toString());
        } finally {
            grid.close();
        }
    }
}
