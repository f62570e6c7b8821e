package io.wsp.server.admin;

import io.wsp.server.registry.PoolStatus;
import java.util.List;

/** What {@code /status} answers, as JSON-B writes it. */
public final class StatusReport {

    /** One agent's pool. */
    public static final class Agent {
        public String id;
        public int idleSize;
        public int idle;
        public int busy;
        public int total;

        static Agent of(PoolStatus pool) {
            Agent a = new Agent();
            a.id = pool.agentId();
            a.idleSize = pool.idleSize();
            a.idle = pool.idle();
            a.busy = pool.busy();
            a.total = pool.total();
            return a;
        }
    }

    /** Sums over all agents. */
    public static final class Totals {
        public int agents;
        public int idle;
        public int busy;
        public int total;
    }

    public List<Agent> agents;
    public Totals totals;

    static StatusReport of(List<PoolStatus> pools) {
        StatusReport report = new StatusReport();
        report.agents = pools.stream().map(Agent::of).toList();
        report.totals = new Totals();
        report.totals.agents = pools.size();
        for (PoolStatus p : pools) {
            report.totals.idle += p.idle();
            report.totals.busy += p.busy();
            report.totals.total += p.total();
        }
        return report;
    }
}
