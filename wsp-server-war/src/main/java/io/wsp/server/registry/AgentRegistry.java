package io.wsp.server.registry;

import io.wsp.server.agent.AgentConnection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The agents' connections this server can use, one pool per agent id. Kept behind this small
 * interface so a registry shared by several server nodes can replace the local one.
 */
public interface AgentRegistry {

    /** Adds a connection that just greeted, as IDLE, to its agent's pool (created if needed). */
    void add(AgentConnection connection);

    /** Removes a connection for good; empty pools disappear. Idempotent. */
    void remove(AgentConnection connection);

    /**
     * Takes an idle connection of an agent {@code selector} matches, marking it BUSY. Fails at
     * once with {@link AcquireException.Reason#NO_AGENT} when no such agent is connected,
     * or with {@link AcquireException.Reason#ALL_BUSY} when none became idle within
     * {@code timeout}. A caller that gives up cancels the future.
     */
    CompletableFuture<AgentConnection> acquire(Duration timeout, AgentSelector selector);

    /** Gives a BUSY connection back: to the longest waiting request, or to its pool as IDLE. */
    void release(AgentConnection connection);

    /** Closes every connection (the server is stopping); their close callbacks remove them. */
    void closeAll(int code, String reason);

    /** A consistent copy of every pool's counts, for the status page. */
    List<PoolStatus> status();

    /** Requests waiting for an idle connection now. */
    int waiting();

    /**
     * The node of the cluster that should carry a request this node's own connections cannot
     * serve at once; empty when this node takes it (waiting for a connection if need be), and
     * always in single-node mode.
     */
    default Optional<PeerNode> peerFor(AgentSelector selector) {
        return Optional.empty();
    }

    /** The node is stopping: the other nodes of the cluster stop sending it requests now. */
    default void leave() {
    }

    /** Every node of the cluster as this node last saw them, itself first; empty in single-node mode. */
    default Optional<ClusterStatus> cluster() {
        return Optional.empty();
    }
}
