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
    /**
     * The most connections busy at once in the current and the previous window of the hold time
     * (the idle timeout). The agent keeps its idle size on top of what is busy; a server that kept
     * only the idle size, whatever was busy a moment ago, would close connections under a steady
     * load each time the busy count dipped, and the agent would dial them again as soon as it rose.
     */
    private int peakBusy;
    private int previousPeakBusy;
    private long windowStartNanos = System.nanoTime();

    AgentPool(String agentId, int idleSize) {
        this.agentId = agentId;
        this.idleSize = idleSize;
    }

    int busy() {
        return connections.size() - idle.size();
    }

    /** Call after a connection turned busy. */
    void noteBusy() {
        peakBusy = Math.max(peakBusy, busy());
    }

    /**
     * How many connections are beyond what the agent would keep for the busiest moment of the
     * last one to two {@code holdNanos}: that many plus its idle size. Also moves the window on
     * once the current one is older than {@code holdNanos}, so call it once per sweep.
     */
    int surplus(long nowNanos, long holdNanos) {
        if (nowNanos - windowStartNanos > holdNanos) {
            previousPeakBusy = peakBusy;
            peakBusy = busy();
            windowStartNanos = nowNanos;
        }
        int keep = Math.max(Math.max(peakBusy, previousPeakBusy), busy()) + idleSize;
        return Math.max(0, connections.size() - keep);
    }

    PoolStatus status() {
        return new PoolStatus(agentId, labels, idleSize, idle.size(), busy(), connectedSince,
                remoteAddress);
    }
}
