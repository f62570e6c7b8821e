package io.wsp.server.admin;

import io.wsp.server.agent.WebSocketLimits;
import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.auth.CallerAuthenticator;
import io.wsp.server.cluster.PeerClient;
import io.wsp.server.config.ServerSettings;
import io.wsp.server.metrics.TrafficStats;
import io.wsp.server.registry.AgentRegistry;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code /status}: the server's version and uptime, every connected agent with its connections and
 * traffic, totals, how callers and agents are authenticated with the refusals so far, and the
 * container's WebSocket implementation with what it cannot do ({@link WebSocketLimits}), and in
 * cluster mode every node with its agents and the requests forwarded to it, as JSON.
 * Behind {@link AdminKeyFilter}.
 */
@WebServlet(urlPatterns = "/status")
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient AgentRegistry registry;

    @Inject
    transient CallerAuthenticator callers;

    @Inject
    transient AgentCredentials agents;

    @Inject
    transient AuthCounters counters;

    @Inject
    transient TrafficStats traffic;

    @Inject
    transient ServerInfo server;

    @Inject
    transient ServerSettings settings;

    @Inject
    transient WebSocketLimits webSocketLimits;

    @Inject
    transient PeerClient peers;

    private transient Jsonb jsonb;

    @Override
    public void init() {
        jsonb = JsonbBuilder.create();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        StatusReport.Security security = StatusReport.Security.of(callers, agents, counters, settings.adminKey() != null);
        StatusReport.Cluster cluster = registry.cluster()
                .map(c -> StatusReport.Cluster.of(c, peers.forwarded(), peers.failed())).orElse(null);
        jsonb.toJson(StatusReport.of(server, registry.status(), registry.waiting(), traffic.byAgent(), security,
                StatusReport.WebSocket.of(webSocketLimits), cluster),
                response.getWriter());
    }

    @Override
    public void destroy() {
        try {
            jsonb.close();
        } catch (Exception e) {
            log("closing JSON-B failed", e);
        }
    }
}
