package io.wsp.server.admin;

import io.wsp.server.lifecycle.Draining;
import io.wsp.server.registry.AgentRegistry;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Probes for orchestrators: {@code /health/live} answers 200 while the application runs;
 * {@code /health/ready} answers 200 only while at least one agent is connected (otherwise every
 * request would get 503), and 503 before that and once the server is stopping.
 */
@WebServlet(urlPatterns = {"/health/live", "/health/ready"})
public class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient AgentRegistry registry;

    @Inject
    transient Draining draining;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int agents = registry.status().size();
        boolean up = request.getServletPath().endsWith("/live") || (agents > 0 && !draining.isDraining());
        response.setStatus(up ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        // In a cluster, the node's id: a peer's probe tells this node from a successor at the same URL.
        String node = registry.cluster().map(c -> ",\"node\":\"" + c.self().id() + "\"").orElse("");
        response.getWriter().write("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"agents\":" + agents + node + "}");
    }
}
