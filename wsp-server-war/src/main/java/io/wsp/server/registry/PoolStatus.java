package io.wsp.server.registry;

import io.wsp.protocol.Labels;
import java.time.Instant;

/**
 * Counts of one agent's connections at one instant.
 *
 * @param labels         as the agent's latest connection announced them
 * @param connectedSince when the agent's pool appeared: its first connection since it last had none
 * @param remoteAddress  where its latest connection came from; null when the container did not say
 */
public record PoolStatus(String agentId, Labels labels, int idleSize, int idle, int busy, Instant connectedSince,
                         String remoteAddress) {

    public int total() {
        return idle + busy;
    }
}
