package io.wsp.server.admin;

import io.wsp.server.auth.AuthCounters;
import io.wsp.server.metrics.AgentTraffic;
import io.wsp.server.metrics.DurationHistogram;
import io.wsp.server.metrics.PrometheusWriter;
import io.wsp.server.registry.PoolStatus;
import java.util.List;
import java.util.Map;

/**
 * What {@code /metrics} answers: every wsp metric, in the Prometheus text format. Per-agent
 * traffic covers every agent seen since start, so its counters never go backwards when an agent
 * leaves and comes back; requests no agent carried have {@code agent=""}.
 */
final class MetricsPage {

    private MetricsPage() {
    }

    static String render(ServerInfo server, List<PoolStatus> pools, int waiting, Map<String, AgentTraffic> traffic,
                         DurationHistogram.Snapshot durations, AuthCounters auth) {
        PrometheusWriter w = new PrometheusWriter();
        w.gauge("build_info", "The running wsp server's version; always 1.").sample(1, "version", server.version());
        w.gauge("uptime_seconds", "Seconds since the server started.").sample(server.uptime().toSeconds());
        w.gauge("agents_connected", "Agents with at least one connection.").sample(pools.size());
        w.gauge("agent_connections", "Agent connections by agent and state.");
        for (PoolStatus p : pools) {
            w.sample(p.idle(), "agent", p.agentId(), "state", "idle");
            w.sample(p.busy(), "agent", p.agentId(), "state", "busy");
        }
        w.gauge("requests_waiting", "Requests waiting for an idle agent connection.").sample(waiting);
        w.gauge("requests_in_flight", "Requests an agent is carrying now.");
        traffic.forEach((agent, t) -> w.sample(t.inFlight(), "agent", agent));
        w.counter("requests", "Requests ended, by agent and status class; agent is empty when none carried it.");
        traffic.forEach((agent, t) -> {
            for (int i = 0; i < t.byClass().length; i++) {
                w.sample(t.byClass()[i], "agent", agent, "status", AgentTraffic.className(i));
            }
        });
        w.counter("request_errors", "Requests wsp failed or aborted (agent lost, timeouts, no agent...).");
        traffic.forEach((agent, t) -> w.sample(t.errors(), "agent", agent));
        w.counter("request_body_bytes", "Request body bytes sent on to agents.");
        traffic.forEach((agent, t) -> w.sample(t.bytesIn(), "agent", agent));
        w.counter("response_body_bytes", "Response body bytes agents sent back to callers.");
        traffic.forEach((agent, t) -> w.sample(t.bytesOut(), "agent", agent));
        w.histogram("request_duration_seconds", "Time from a request's arrival to its end.", durations);
        w.counter("auth_failures", "Refused credentials: agent registrations, callers without a valid key (401), "
                + "callers beyond their key's limits (403), admin pages without the admin key.")
                .sample(auth.refusedRegistrations(), "kind", "registration")
                .sample(auth.unauthenticatedCalls(), "kind", "unauthenticated")
                .sample(auth.forbiddenCalls(), "kind", "forbidden")
                .sample(auth.refusedAdminCalls(), "kind", "admin");
        return w.toString();
    }
}
