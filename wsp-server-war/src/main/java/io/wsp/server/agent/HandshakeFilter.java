package io.wsp.server.agent;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.Labels;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AgentPrincipal;
import io.wsp.server.auth.AuthCounters;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

/**
 * Checks an agent's handshake before the WebSocket upgrade, so the agent gets a plain HTTP error
 * instead of an upgraded connection that is then closed: 401 for an {@code X-SECRET-KEY} that is
 * none of ours, or that belongs to another agent than the one {@code X-PROXY-AGENT-ID} announces;
 * 400 for malformed labels. The Go agent announces no id: its greeting is checked against the key
 * by {@link AgentEndpoint}, which gets what was learnt here through {@link Handshakes}.
 */
@WebFilter(urlPatterns = "/register")
public class HandshakeFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(HandshakeFilter.class.getName());

    @Inject
    transient AgentCredentials credentials;

    @Inject
    transient AuthCounters counters;

    @Inject
    transient Handshakes handshakes;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String from = request.getRemoteAddr();
        Labels labels;
        try {
            labels = Labels.parse(request.getHeader(WspProtocol.AGENT_LABELS_HEADER));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "agent registration refused from {0}: {1}", from, e.getMessage());
            plain(response, HttpServletResponse.SC_BAD_REQUEST, WspProtocol.AGENT_LABELS_HEADER + ": " + e.getMessage());
            return;
        }
        AgentPrincipal proved = null;
        if (credentials.required()) {
            proved = credentials.authenticate(request.getHeader(WspProtocol.SECRET_KEY_HEADER), from).orElse(null);
            String announced = request.getHeader(WspProtocol.AGENT_ID_HEADER);
            if (proved == null) {
                refuse(response, from, "wrong or missing secret key");
                return;
            }
            if (announced != null && (!Greeting.validId(announced) || !credentials.permits(proved, announced))) {
                refuse(response, from, "its key is not for the agent id it announced");
                return;
            }
        }
        String token = handshakes.put(new Handshake(proved, from, labels));
        chain.doFilter(withToken(request, token), response);
    }

    /**
     * The request as the WebSocket container sees it: its query string is only the handshake's
     * token, so a query an agent sent itself can never pass for one.
     */
    private static HttpServletRequest withToken(HttpServletRequest request, String token) {
        Map<String, String[]> parameters = Map.of(Handshakes.PARAMETER, new String[] {token});
        return new HttpServletRequestWrapper(request) {
            @Override
            public String getQueryString() {
                return Handshakes.PARAMETER + "=" + token;
            }

            @Override
            public Map<String, String[]> getParameterMap() {
                return parameters;
            }

            @Override
            public String getParameter(String name) {
                return Handshakes.PARAMETER.equals(name) ? token : null;
            }

            @Override
            public String[] getParameterValues(String name) {
                return Handshakes.PARAMETER.equals(name) ? new String[] {token} : null;
            }

            @Override
            public Enumeration<String> getParameterNames() {
                return Collections.enumeration(List.of(Handshakes.PARAMETER));
            }
        };
    }

    /** The same answer for every kind of bad key, so a guess learns nothing; the log says which. */
    private void refuse(HttpServletResponse response, String from, String why) throws IOException {
        counters.registrationRefused();
        LOG.log(System.Logger.Level.WARNING, "agent registration refused from {0}: {1}", from, why);
        plain(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized");
    }

    private static void plain(HttpServletResponse response, int status, String text) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(text + "\n");
    }
}
