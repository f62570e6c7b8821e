package io.wsp.server.metrics;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of one server node, in memory and lock-free: requests end on many threads at once,
 * and a counter must never make them wait for each other. Agents are never forgotten, so their
 * counters only rise, as Prometheus counters must.
 */
public final class LocalTrafficStats implements TrafficStats {

    private final Map<String, Counters> agents = new ConcurrentHashMap<>();
    private final DurationHistogram durations = new DurationHistogram();

    /** One agent's counters. The last error is two fields read apart: at worst a new reason with the previous time. */
    private static final class Counters {
        final LongAdder inFlight = new LongAdder();
        final LongAdder[] byClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
        final LongAdder bytesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder errors = new LongAdder();
        volatile String lastError;
        volatile Instant lastErrorAt;

        AgentTraffic snapshot() {
            long[] classes = new long[byClass.length];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = byClass[i].sum();
            }
            return new AgentTraffic(inFlight.sum(), classes, bytesIn.sum(), bytesOut.sum(), errors.sum(), lastError,
                    lastErrorAt);
        }
    }

    @Override
    public void started(String agentId) {
        counters(agentId).inFlight.increment();
    }

    @Override
    public void finished(RequestOutcome outcome) {
        Counters c = counters(outcome.agentId() == null ? NO_AGENT : outcome.agentId());
        if (outcome.agentId() != null) {
            c.inFlight.decrement();
        }
        int statusClass = outcome.status() / 100 - 1;
        if (statusClass >= 0 && statusClass < c.byClass.length) {
            c.byClass[statusClass].increment();
        }
        c.bytesIn.add(outcome.bytesIn());
        c.bytesOut.add(outcome.bytesOut());
        if (outcome.error() != null) {
            c.errors.increment();
            c.lastErrorAt = Instant.now();
            c.lastError = outcome.error();
        }
        durations.record(outcome.nanos());
    }

    @Override
    public Map<String, AgentTraffic> byAgent() {
        // Sorted, so /metrics and /status list agents in a stable order.
        Map<String, AgentTraffic> copy = new TreeMap<>();
        agents.forEach((id, c) -> copy.put(id, c.snapshot()));
        return copy;
    }

    @Override
    public DurationHistogram.Snapshot durations() {
        return durations.snapshot();
    }

    private Counters counters(String agentId) {
        return agents.computeIfAbsent(agentId, id -> new Counters());
    }
}
