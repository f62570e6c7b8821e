package io.wsp.server.cluster;

import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PeerNode;
import io.wsp.server.registry.PoolStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * <p>A peer is live while its publication keeps changing (its sequence number grows each
 * second): one silent for {@link #NODE_TIMEOUT} is dropped at once, whatever the grid still holds,
 * so a node that died is forgotten within seconds even when the grid is slow to expire it.
 *
 * <p>Threads: every grid call runs on this class's own thread, never on the request threads or the
 * shared timer: a data grid that is re-forming after a member loss may block a call for seconds.
 */
public final class ClusterMembership implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClusterMembership.class.getName());
    /** Often enough that a new agent is seen cluster-wide within about a second. */
    static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(1);
    /** Five missed publications: a long pause of a live node is not taken for its death. */
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(5);

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

    /**
     * Peers a request could not connect to, left out until they publish again: a node that died
     * is refused the next request at once, not only once its publication goes stale.
     */
    private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
    /** This node's latest publication. */
    private volatile NodeState self;
    /** The live peers, in the order first seen. Replaced whole by the cluster thread. */
    private volatile List<NodeState> peers = List.of();

    // Cluster thread only.
    private long seq;
    /** Per peer: the last sequence number seen and when (System.nanoTime) it last changed. */
    private final Map<String, long[]> heard = new LinkedHashMap<>();
    private final Map<String, NodeState> live = new LinkedHashMap<>();
    /** Whether the last grid call failed, so a failure is logged once, not every second. */
    private boolean failing;

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
            thread.execute(this::tick);
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
            // Withdrawn, or about to be: publishing again would bring this node back for 5 s.
            return;
        }
        try {
            NodeState state = new NodeState(id, url, localPools.get().stream()
                    .map(p -> new NodeState.Agent(p.agentId(), p.labels(), p.idle(), p.busy())).toList());
            self = state;
            grid.publish(id, NodeStateJson.encode(state, ++seq));
            update(grid.read(), System.nanoTime());
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "cluster: the data grid answers again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, "cluster: the data grid failed: {0}", e.toString());
            }
            // Without the grid no peer is known to be alive: forget those gone silent as usual.
            update(Map.of(), System.nanoTime());
        }
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
            boolean silent = now - h.getValue()[1] >= NODE_TIMEOUT.toNanos();
            boolean withdrawn = !entries.isEmpty() && !entries.containsKey(h.getKey());
            if (silent || withdrawn) {
                unreachable.remove(h.getKey());
                NodeState state = live.remove(h.getKey());
                if (state != null) {
                    gone.add(state);
                    LOG.log(System.Logger.Level.WARNING, "cluster: node {0} at {1} left ({2})", h.getKey(), state.url(),
                            withdrawn ? "withdrew" : "silent for " + NODE_TIMEOUT.toSeconds() + " s");
                }
                return withdrawn;
            }
            return false;
        });
        peers = List.copyOf(live.values());
        for (NodeState state : gone) {
            for (Consumer<PeerNode> listener : leaveListeners) {
                listener.accept(state.peer());
            }
        }
    }

    /** Stops publishing and withdraws this node's entry, so the others drop it at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
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
