package io.wsp.server.admin;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.metrics.AgentTraffic;
import io.wsp.server.metrics.DurationHistogram;
import io.wsp.server.metrics.TrafficStats;
import io.wsp.server.registry.ClusterStatus;
import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PoolStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Every wsp metric of one deployment, in a registry of its own rather than the library's static
 * default one, which two deployments loading the library from one place would share. Each family
 * reads the counters the proxy keeps anyway when scraped, so nothing here runs on the request path.
 * Per-agent traffic covers every agent seen since start, so its counters never go backwards when
 * an agent leaves and comes back; requests no agent carried have {@code agent=""}. In cluster mode
 * the {@code wsp_cluster_*} families add the other nodes; a single node has none of them.
 */
final class ServerMetrics {

    private ServerMetrics() {
    }

    /**
     * {@code cluster} is empty in single-node mode, which a deployment keeps for its life;
     * {@code forwarded} and {@code forwardErrors} count by node URL, which a restarted node keeps.
     */
    static PrometheusRegistry registry(ServerInfo server, Supplier<List<PoolStatus>> pools, IntSupplier waiting,
                                       TrafficStats traffic, AuthCounters auth, Supplier<Optional<ClusterStatus>> cluster,
                                       Supplier<Map<String, Long>> forwarded, Supplier<Map<String, Long>> forwardErrors) {
        PrometheusRegistry registry = new PrometheusRegistry();
        Info.builder().name("wsp_build_info").help("The running wsp server's version; always 1.")
                .labelNames("version").register(registry).setLabelValues(server.version());
        GaugeWithCallback.builder().name("wsp_uptime_seconds").help("Seconds since the server started.")
                .callback(g -> g.call(server.uptime().toSeconds())).register(registry);
        GaugeWithCallback.builder().name("wsp_agents_connected").help("Agents with at least one connection.")
                .callback(g -> g.call(pools.get().size())).register(registry);
        GaugeWithCallback.builder().name("wsp_agent_connections").help("Agent connections by agent and state.")
                .labelNames("agent", "state").callback(g -> {
                    for (PoolStatus p : pools.get()) {
                        g.call(p.idle(), p.agentId(), "idle");
                        g.call(p.busy(), p.agentId(), "busy");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("wsp_requests_waiting").help("Requests waiting for an idle agent connection.")
                .callback(g -> g.call(waiting.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("wsp_requests_in_flight").help("Requests an agent is carrying now.")
                .labelNames("agent")
                .callback(g -> traffic.byAgent().forEach((agent, t) -> g.call(t.inFlight(), agent))).register(registry);
        CounterWithCallback.builder().name("wsp_requests_total")
                .help("Requests ended, by agent and status class; agent is empty when none carried it.")
                .labelNames("agent", "status").callback(c -> traffic.byAgent().forEach((agent, t) -> {
                    for (int i = 0; i < t.byClass().length; i++) {
                        c.call(t.byClass()[i], agent, AgentTraffic.className(i));
                    }
                })).register(registry);
        CounterWithCallback.builder().name("wsp_request_errors_total")
                .help("Requests wsp failed or aborted (agent lost, timeouts, no agent...).").labelNames("agent")
                .callback(c -> traffic.byAgent().forEach((agent, t) -> c.call(t.errors(), agent))).register(registry);
        CounterWithCallback.builder().name("wsp_request_body_bytes_total")
                .help("Request body bytes sent on to agents.").labelNames("agent")
                .callback(c -> traffic.byAgent().forEach((agent, t) -> c.call(t.bytesIn(), agent))).register(registry);
        CounterWithCallback.builder().name("wsp_response_body_bytes_total")
                .help("Response body bytes agents sent back to callers.").labelNames("agent")
                .callback(c -> traffic.byAgent().forEach((agent, t) -> c.call(t.bytesOut(), agent))).register(registry);
        registry.register(() -> durations(traffic.durations()));
        CounterWithCallback.builder().name("wsp_auth_failures_total")
                .help("Refused credentials: agent registrations, callers without a valid key (401), "
                        + "callers beyond their key's limits (403), admin pages without the admin key.")
                .labelNames("kind").callback(c -> {
                    c.call(auth.refusedRegistrations(), "registration");
                    c.call(auth.unauthenticatedCalls(), "unauthenticated");
                    c.call(auth.forbiddenCalls(), "forbidden");
                    c.call(auth.refusedAdminCalls(), "admin");
                }).register(registry);
        if (cluster.get().isPresent()) {
            registerCluster(registry, cluster, forwarded, forwardErrors);
        }
        return registry;
    }

    /**
     * This node's own agents are already in {@code wsp_agent_connections}; the others' are counted
     * as of their last publication. Forward counts keep nodes that left, so they never go backwards.
     */
    private static void registerCluster(PrometheusRegistry registry, Supplier<Optional<ClusterStatus>> cluster,
                                        Supplier<Map<String, Long>> forwarded,
                                        Supplier<Map<String, Long>> forwardErrors) {
        GaugeWithCallback.builder().name("wsp_cluster_nodes").help("Live nodes of the cluster, this one included.")
                .callback(g -> cluster.get().ifPresent(c -> g.call(1 + c.peers().size()))).register(registry);
        GaugeWithCallback.builder().name("wsp_cluster_agent_connections")
                .help("Agent connections on the other nodes, by node URL, agent and state.")
                .labelNames("node", "agent", "state").callback(g -> cluster.get().ifPresent(c -> {
                    for (NodeState node : c.peers()) {
                        for (NodeState.Agent a : node.agents()) {
                            g.call(a.idle(), node.url().toString(), a.id(), "idle");
                            g.call(a.busy(), node.url().toString(), a.id(), "busy");
                        }
                    }
                })).register(registry);
        CounterWithCallback.builder().name("wsp_cluster_forwarded_requests_total")
                .help("Requests this node forwarded to another, by node URL.").labelNames("node")
                .callback(c -> forwarded.get().forEach((node, n) -> c.call(n, node))).register(registry);
        CounterWithCallback.builder().name("wsp_cluster_forward_errors_total")
                .help("Forwarded requests that failed between the nodes (refused, reset, node gone), by node URL.")
                .labelNames("node")
                .callback(c -> forwardErrors.get().forEach((node, n) -> c.call(n, node))).register(registry);
    }

    /** The library has no histogram read through a callback; its snapshot is built from ours instead. */
    private static HistogramSnapshot durations(DurationHistogram.Snapshot h) {
        return HistogramSnapshot.builder().name("wsp_request_duration_seconds")
                .help("Time from a request's arrival to its end.")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(h.bounds(), h.counts()))
                        .sum(h.sumSeconds()).build())
                .build();
    }
}
