package io.wsp.server.registry;

import io.wsp.protocol.Labels;
import io.wsp.server.agent.AgentConnection;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/** One agent's connections. Not thread safe: the registry guards it with its lock. */
final class AgentPool {

    final String agentId;
    int idleSize;
    /** As the agent's latest connection announced them. */
    Labels labels = Labels.NONE;
    final Instant connectedSince = Instant.now();
    String remoteAddress;
    final Set<AgentConnection> connections = new HashSet<>();
    /** Most recently idle first, so surplus connections collect at the tail and age out. */
    final Deque<AgentConnection> idle = new ArrayDeque<>();

    AgentPool(String agentId, int idleSize) {
        this.agentId = agentId;
        this.idleSize = idleSize;
    }

    PoolStatus status() {
        return new PoolStatus(agentId, labels, idleSize, idle.size(), connections.size() - idle.size(), connectedSince,
                remoteAddress);
    }
}
