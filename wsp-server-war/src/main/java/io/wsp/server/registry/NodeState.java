package io.wsp.server.registry;

import io.wsp.protocol.Labels;
import java.net.URI;
import java.util.List;

/**
 * What one node publishes in the cluster's data grid: where it is reached and which agents it
 * holds. Counts are as of its last publication, at most a second old.
 *
 * @param id     the node's id, new at each start
 * @param url    the node's base URL, from its {@code wsp.clusterUrl}
 * @param agents the agents connected to it
 */
public record NodeState(String id, URI url, List<Agent> agents) {

    public NodeState {
        agents = List.copyOf(agents);
    }

    /** One agent's connections on the node. */
    public record Agent(String id, Labels labels, int idle, int busy) {
    }

    /** Whether an agent {@code selector} matches is connected there; with {@code idleOnly}, one with an idle connection. */
    public boolean serves(AgentSelector selector, boolean idleOnly) {
        return agents.stream().anyMatch(a -> selector.matches(a.id(), a.labels()) && (!idleOnly || a.idle() > 0));
    }

    public PeerNode peer() {
        return new PeerNode(id, url);
    }
}
