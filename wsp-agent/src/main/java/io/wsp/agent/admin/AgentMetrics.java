package io.wsp.agent.admin;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wsp.agent.forward.Traffic;
import java.net.URI;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's metrics, in a registry of its own: tests run several agents in one JVM, and the
 * library's default registry would mix their counts. Each family reads {@link Traffic} and the
 * open connections when scraped, so nothing here runs on the request path.
 */
final class AgentMetrics {

    private AgentMetrics() {
    }

    static PrometheusRegistry registry(Traffic traffic, Supplier<Map<URI, Integer>> connections) {
        PrometheusRegistry registry = new PrometheusRegistry();
        GaugeWithCallback.builder().name("wsp_agent_connections").help("Open WebSocket connections, per wsp server.")
                .labelNames("server")
                .callback(g -> connections.get().forEach((server, open) -> g.call(open, server.toString())))
                .register(registry);
        GaugeWithCallback.builder().name("wsp_agent_requests_in_flight").help("Requests being performed now.")
                .callback(g -> g.call(traffic.inFlight())).register(registry);
        CounterWithCallback.builder().name("wsp_agent_responses_total")
                .help("Responses sent back, by status class (agent_error: the agent could not perform the request).")
                .labelNames("class").callback(c -> traffic.responses().forEach((cls, n) -> c.call(n, cls)))
                .register(registry);
        CounterWithCallback.builder().name("wsp_agent_response_bytes_total")
                .help("Response body bytes sent back to servers.")
                .callback(c -> c.call(traffic.responseBytes())).register(registry);
        CounterWithCallback.builder().name("wsp_agent_aborted_total")
                .help("Responses cut short after their head was sent.")
                .callback(c -> c.call(traffic.aborted())).register(registry);
        return registry;
    }
}
