package io.wsp.server.admin;

import io.wsp.server.auth.AuthCounters;
import io.wsp.server.metrics.PrometheusWriter;
import io.wsp.server.metrics.TrafficStats;
import io.wsp.server.registry.AgentRegistry;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code /metrics} for Prometheus and compatible scrapers, written by the WAR itself so it works
 * on any Jakarta EE 10 container. Behind {@link AdminKeyFilter}.
 */
@WebServlet(urlPatterns = "/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient AgentRegistry registry;

    @Inject
    transient TrafficStats traffic;

    @Inject
    transient AuthCounters auth;

    @Inject
    transient ServerInfo server;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String text = MetricsPage.render(server, registry.status(), registry.waiting(), traffic.byAgent(),
                traffic.durations(), auth);
        response.setContentType(PrometheusWriter.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(text);
    }
}
