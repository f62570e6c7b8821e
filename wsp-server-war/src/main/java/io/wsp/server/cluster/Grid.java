package io.wsp.server.cluster;

import java.util.Map;

/**
 * The data grid the nodes share: one entry per live node, its publication as JSON. Strings only,
 * so no node ever deserializes a class of another node's deployment. An entry not published again
 * within {@link ClusterMembership#NODE_TIMEOUT} disappears by itself: that is how a node that died
 * without a word leaves.
 */
interface Grid extends AutoCloseable {

    void publish(String nodeId, String json);

    /** Removes this node's entry: it is stopping. */
    void withdraw(String nodeId);

    /** Every node's entry, this node's own included. */
    Map<String, String> read();

    @Override
    void close();
}
