package io.wsp.server.admin;

import io.wsp.server.agent.WebSocketLimits;
import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.auth.CallerAuthenticator;
import io.wsp.server.metrics.AgentTraffic;
import io.wsp.server.registry.ClusterStatus;
import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PoolStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** What {@code /status} answers, as JSON-B writes it. Fields that are null are left out. */
public final class StatusReport {

    /** One connected agent: its pool, and its traffic since the server started. */
    public static final class Agent {
        public String id;
        public Map<String, String> labels;
        public String remoteAddress;
        public Instant connectedSince;
        public int idleSize;
        public int idle;
        public int busy;
        public int total;
        public long inFlight;
        public long requests;
        /** Requests by status class, {@code 1xx} to {@code 5xx}. */
        public Map<String, Long> statuses;
        public long bytesIn;
        public long bytesOut;
        public long errors;
        public String lastError;
        public Instant lastErrorAt;

        static Agent of(PoolStatus pool, AgentTraffic traffic) {
            Agent a = new Agent();
            a.id = pool.agentId();
            a.labels = pool.labels().asMap();
            a.remoteAddress = pool.remoteAddress();
            a.connectedSince = pool.connectedSince();
            a.idleSize = pool.idleSize();
            a.idle = pool.idle();
            a.busy = pool.busy();
            a.total = pool.total();
            a.inFlight = traffic.inFlight();
            a.requests = traffic.requests();
            a.statuses = statuses(traffic.byClass());
            a.bytesIn = traffic.bytesIn();
            a.bytesOut = traffic.bytesOut();
            a.errors = traffic.errors();
            a.lastError = traffic.lastError();
            a.lastErrorAt = traffic.lastErrorAt();
            return a;
        }
    }

    /**
     * Connection counts over the connected agents; traffic counts over every request since start,
     * those no agent carried (refused, no agent connected) included.
     */
    public static final class Totals {
        public int agents;
        public int idle;
        public int busy;
        public int total;
        /** Requests waiting for an idle connection now. */
        public int waiting;
        public long inFlight;
        public long requests;
        public Map<String, Long> statuses;
        public long bytesIn;
        public long bytesOut;
        public long errors;
    }

    /** How the server authenticates, so an open server shows on the page operators look at. */
    public static final class Security {
        /** {@code off}, {@code optional} or {@code required}. */
        public String callerAuth;
        public int callerKeys;
        public boolean agentAuth;
        public boolean sharedAgentKey;
        public int agentKeys;
        public boolean adminKey;
        public long refusedRegistrations;
        public long unauthenticatedCalls;
        public long forbiddenCalls;
        public long refusedAdminCalls;

        static Security of(CallerAuthenticator callers, AgentCredentials agents, AuthCounters counters,
                           boolean adminKey) {
            Security s = new Security();
            s.callerAuth = callers.mode().name().toLowerCase(Locale.ROOT);
            s.callerKeys = callers.keyCount();
            s.agentAuth = agents.required();
            s.sharedAgentKey = agents.hasSharedSecret();
            s.agentKeys = agents.agentKeyCount();
            s.adminKey = adminKey;
            s.refusedRegistrations = counters.refusedRegistrations();
            s.unauthenticatedCalls = counters.unauthenticatedCalls();
            s.forbiddenCalls = counters.forbiddenCalls();
            s.refusedAdminCalls = counters.refusedAdminCalls();
            return s;
        }
    }

    /** The container's WebSocket implementation, and what it cannot do of what wsp relies on. */
    public static final class WebSocket {
        public String implementation;
        public List<String> limits;

        static WebSocket of(WebSocketLimits limits) {
            WebSocket w = new WebSocket();
            w.implementation = limits.implementation();
            w.limits = limits.limits();
            return w;
        }
    }

    /** The nodes of the cluster as this one last saw them; absent in single-node mode. */
    public static final class Cluster {
        /** This node's id. */
        public String node;
        public String url;
        /** This node first, then the others. */
        public List<Node> nodes;

        /** One node and the agents it holds, as of its last publication. */
        public static final class Node {
            public String id;
            public String url;
            public boolean self;
            public List<Agent> agents;
            /** Requests this node forwarded to that one; absent for this node itself. */
            public Long forwarded;
            /** Of those, the ones that failed between the two nodes. */
            public Long forwardErrors;
        }

        /** One agent's connections on a node. */
        public static final class Agent {
            public String id;
            public Map<String, String> labels;
            public int idle;
            public int busy;
        }

        /** {@code forwarded} and {@code failed} count by node URL; a node missing from them has none. */
        static Cluster of(ClusterStatus status, Map<String, Long> forwarded, Map<String, Long> failed) {
            Cluster c = new Cluster();
            c.node = status.self().id();
            c.url = status.self().url().toString();
            c.nodes = Stream.concat(Stream.of(node(status.self(), true, null, null)),
                    status.peers().stream().map(p -> node(p, false, forwarded.getOrDefault(p.url().toString(), 0L),
                            failed.getOrDefault(p.url().toString(), 0L)))).toList();
            return c;
        }

        private static Node node(NodeState state, boolean self, Long forwarded, Long forwardErrors) {
            Node n = new Node();
            n.id = state.id();
            n.url = state.url().toString();
            n.self = self;
            n.agents = state.agents().stream().map(a -> {
                Agent agent = new Agent();
                agent.id = a.id();
                agent.labels = a.labels().asMap();
                agent.idle = a.idle();
                agent.busy = a.busy();
                return agent;
            }).toList();
            n.forwarded = forwarded;
            n.forwardErrors = forwardErrors;
            return n;
        }
    }

    public String version;
    public Instant startedAt;
    public long uptimeSeconds;
    public List<Agent> agents;
    public Totals totals;
    public Security security;
    public WebSocket webSocket;
    public Cluster cluster;

    /**
     * {@code traffic} holds every agent seen since start; an agent not in it has carried nothing yet.
     * {@code cluster} is null in single-node mode.
     */
    static StatusReport of(ServerInfo server, List<PoolStatus> pools, int waiting, Map<String, AgentTraffic> traffic,
                           Security security, WebSocket webSocket, Cluster cluster) {
        StatusReport report = new StatusReport();
        report.version = server.version();
        report.startedAt = server.startedAt();
        report.uptimeSeconds = server.uptime().toSeconds();
        report.security = security;
        report.webSocket = webSocket;
        report.cluster = cluster;
        report.agents = pools.stream().map(p -> Agent.of(p, traffic.getOrDefault(p.agentId(), AgentTraffic.NONE))).toList();
        Totals t = new Totals();
        t.agents = pools.size();
        t.waiting = waiting;
        for (PoolStatus p : pools) {
            t.idle += p.idle();
            t.busy += p.busy();
            t.total += p.total();
        }
        long[] byClass = new long[AgentTraffic.NONE.byClass().length];
        for (AgentTraffic a : traffic.values()) {
            t.inFlight += a.inFlight();
            t.requests += a.requests();
            t.bytesIn += a.bytesIn();
            t.bytesOut += a.bytesOut();
            t.errors += a.errors();
            for (int i = 0; i < byClass.length; i++) {
                byClass[i] += a.byClass()[i];
            }
        }
        t.statuses = statuses(byClass);
        report.totals = t;
        return report;
    }

    private static Map<String, Long> statuses(long[] byClass) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < byClass.length; i++) {
            m.put(AgentTraffic.className(i), byClass[i]);
        }
        return m;
    }
}
