package io.wsp.agent.admin;

import io.wsp.agent.forward.Traffic;
import java.net.URI;
import java.util.Map;

/** The agent's {@code /metrics} page in the Prometheus text format (version 0.0.4). */
final class AgentMetrics {

    private AgentMetrics() {
    }

    static String write(Traffic traffic, Map<URI, Integer> connections) {
        StringBuilder out = new StringBuilder();
        header(out, "wsp_agent_connections", "gauge", "Open WebSocket connections, per wsp server.");
        connections.forEach((server, open) -> out.append("wsp_agent_connections{server=\"")
                .append(escape(server.toString())).append("\"} ").append(open).append('\n'));
        header(out, "wsp_agent_requests_in_flight", "gauge", "Requests being performed now.");
        out.append("wsp_agent_requests_in_flight ").append(traffic.inFlight()).append('\n');
        header(out, "wsp_agent_responses_total", "counter",
                "Responses sent back, by status class (agent_error: the agent could not perform the request).");
        traffic.responses().forEach((cls, count) -> out.append("wsp_agent_responses_total{class=\"").append(cls)
                .append("\"} ").append(count).append('\n'));
        header(out, "wsp_agent_response_bytes_total", "counter", "Response body bytes sent back to servers.");
        out.append("wsp_agent_response_bytes_total ").append(traffic.responseBytes()).append('\n');
        header(out, "wsp_agent_aborted_total", "counter", "Responses cut short after their head was sent.");
        out.append("wsp_agent_aborted_total ").append(traffic.aborted()).append('\n');
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Label values escape backslash, double quote and newline, as the format requires. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
