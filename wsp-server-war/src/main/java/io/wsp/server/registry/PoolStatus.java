package io.wsp.server.registry;

import io.wsp.protocol.Labels;

/** Counts of one agent's connections at one instant. */
public record PoolStatus(String agentId, Labels labels, int idleSize, int idle, int busy) {

    public int total() {
        return idle + busy;
    }
}
