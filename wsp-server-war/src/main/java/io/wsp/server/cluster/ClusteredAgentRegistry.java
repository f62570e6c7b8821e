package io.wsp.server.cluster;

import io.wsp.server.agent.AgentConnection;
import io.wsp.server.config.ClusterSettings;
import io.wsp.server.registry.AgentRegistry;
import io.wsp.server.registry.AgentSelector;
import io.wsp.server.registry.Availability;
import io.wsp.server.registry.ClusterStatus;
import io.wsp.server.registry.LocalAgentRegistry;
import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PeerNode;
import io.wsp.server.registry.PoolStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The registry of a node in cluster mode: its own connections as in single-node mode, plus where a
 * request goes when they cannot serve it. Local connections are preferred: a request goes to
 * another node only when no local agent matches, or when every matching local connection is busy
 * while another node has an idle one.
 */
public final class ClusteredAgentRegistry implements AgentRegistry, AutoCloseable {

    private final LocalAgentRegistry local;
    private final ClusterMembership membership;
    /** Spreads forwarded requests over the nodes that qualify. */
    private final AtomicInteger next = new AtomicInteger();

    ClusteredAgentRegistry(LocalAgentRegistry local, ClusterMembership membership) {
        this.local = local;
        this.membership = membership;
    }

    /**
     * Joins the cluster through the container's data grid and starts publishing {@code local}'s
     * agents. Fails the deployment when the container offers no data grid: cluster mode was asked
     * for and cannot work.
     */
    public static ClusteredAgentRegistry start(LocalAgentRegistry local, ClusterSettings settings) {
        ClusterMembership membership = new ClusterMembership(settings.url(), JCacheGrid.open(settings.cacheManager()),
                local::status);
        membership.start();
        return new ClusteredAgentRegistry(local, membership);
    }

    /** Runs {@code listener} with each node that leaves the cluster. */
    void onPeerLeave(Consumer<PeerNode> listener) {
        membership.onLeave(listener);
    }

    /** A request could not connect to {@code peer}: it gets no more until it publishes again. */
    void unreachable(PeerNode peer) {
        membership.unreachable(peer);
    }

    /** Asks {@code peer} whether it is there, and still itself, within {@code timeout}. */
    CompletableFuture<Boolean> probe(PeerNode peer, Duration timeout) {
        return membership.probe(peer, timeout);
    }

    /** This node's id in the cluster. */
    public String nodeId() {
        return membership.id();
    }

    @Override
    public void add(AgentConnection connection) {
        boolean first = local.availability(AgentSelector.id(connection.agentId())) == Availability.NONE;
        local.add(connection);
        if (first) {
            membership.publishSoon();
        }
    }

    @Override
    public void remove(AgentConnection connection) {
        local.remove(connection);
        if (local.availability(AgentSelector.id(connection.agentId())) == Availability.NONE) {
            membership.publishSoon();
        }
    }

    @Override
    public CompletableFuture<AgentConnection> acquire(Duration timeout, AgentSelector selector) {
        return local.acquire(timeout, selector);
    }

    @Override
    public void release(AgentConnection connection) {
        local.release(connection);
    }

    @Override
    public void closeAll(int code, String reason) {
        local.closeAll(code, reason);
    }

    @Override
    public List<PoolStatus> status() {
        return local.status();
    }

    @Override
    public int waiting() {
        return local.waiting();
    }

    @Override
    public Optional<PeerNode> peerFor(AgentSelector selector) {
        Availability here = local.availability(selector);
        if (here == Availability.IDLE) {
            return Optional.empty();
        }
        List<NodeState> peers = membership.peers();
        Optional<PeerNode> idle = pick(peers, selector, true);
        if (idle.isPresent() || here == Availability.BUSY) {
            return idle;
        }
        return pick(peers, selector, false);
    }

    private Optional<PeerNode> pick(List<NodeState> peers, AgentSelector selector, boolean idleOnly) {
        List<NodeState> candidates = peers.stream().filter(p -> p.serves(selector, idleOnly)).toList();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size())).peer());
    }

    @Override
    public Optional<ClusterStatus> cluster() {
        return Optional.of(new ClusterStatus(membership.self(), membership.peers()));
    }

    /** Withdraws this node from the grid, so the other nodes stop forwarding here at once. Idempotent. */
    @Override
    public void leave() {
        membership.close();
    }

    @Override
    public void close() {
        leave();
    }
}
