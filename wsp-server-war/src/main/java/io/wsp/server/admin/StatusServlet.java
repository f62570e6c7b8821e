package io.wsp.server.admin;

import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.auth.CallerAuthenticator;
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
 * {@code /status}: every connected agent with its connection counts, totals, and how callers and
 * agents are authenticated with the refusals so far, as JSON.
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
        jsonb.toJson(StatusReport.of(registry.status(), StatusReport.Security.of(callers, agents, counters)), response.getWriter());
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
