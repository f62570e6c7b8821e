package io.wsp.server.registry;

/** Counts of one agent's connections at one instant. */
public record PoolStatus(String agentId, int idleSize, int idle, int busy) {

    public int total() {
        return idle + busy;
    }
}
