package io.wsp.server.registry;

import java.util.List;

/**
 * The cluster as one node sees it.
 *
 * @param self  this node
 * @param peers the other nodes whose publications are current, in the order they were first seen
 */
public record ClusterStatus(NodeState self, List<NodeState> peers) {

    public ClusterStatus {
        peers = List.copyOf(peers);
    }
}
