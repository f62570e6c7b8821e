package io.wsp.server.admin;

import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.auth.CallerAuthenticator;
import io.wsp.server.registry.PoolStatus;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** What {@code /status} answers, as JSON-B writes it. */
public final class StatusReport {

    /** One agent's pool. */
    public static final class Agent {
        public String id;
        public Map<String, String> labels;
        public int idleSize;
        public int idle;
        public int busy;
        public int total;

        static Agent of(PoolStatus pool) {
            Agent a = new Agent();
            a.id = pool.agentId();
            a.labels = pool.labels().asMap();
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

    /** How the server authenticates, so an open server shows on the page operators look at. */
    public static final class Security {
        /** {@code off}, {@code optional} or {@code required}. */
        public String callerAuth;
        public int callerKeys;
        public boolean agentAuth;
        public boolean sharedAgentKey;
        public int agentKeys;
        public long refusedRegistrations;
        public long unauthenticatedCalls;
        public long forbiddenCalls;

        static Security of(CallerAuthenticator callers, AgentCredentials agents, AuthCounters counters) {
            Security s = new Security();
            s.callerAuth = callers.mode().name().toLowerCase(Locale.ROOT);
            s.callerKeys = callers.keyCount();
            s.agentAuth = agents.required();
            s.sharedAgentKey = agents.hasSharedSecret();
            s.agentKeys = agents.agentKeyCount();
            s.refusedRegistrations = counters.refusedRegistrations();
            s.unauthenticatedCalls = counters.unauthenticatedCalls();
            s.forbiddenCalls = counters.forbiddenCalls();
            return s;
        }
    }

    public List<Agent> agents;
    public Totals totals;
    public Security security;

    static StatusReport of(List<PoolStatus> pools, Security security) {
        StatusReport report = new StatusReport();
        report.security = security;
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
