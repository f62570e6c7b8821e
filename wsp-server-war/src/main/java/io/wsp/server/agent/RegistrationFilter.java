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
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Checks an agent's handshake before the container upgrades it to a WebSocket (the container's own
 * upgrade runs further down the filter chain), so the agent gets a plain HTTP error instead of an
 * upgraded connection that is then closed: 400 for a request that is no WebSocket handshake or has
 * malformed labels, 401 for an {@code X-SECRET-KEY} that is none of ours or that belongs to
 * another agent than the one {@code X-PROXY-AGENT-ID} announces. The Go agent announces no id: its
 * greeting is checked against the key by the connection's {@link AgentEndpoint}. The rest of the
 * handshake (version, key, extensions) is the container's to judge.
 */
@WebFilter(urlPatterns = "/register")
public class RegistrationFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(RegistrationFilter.class.getName());

    @Inject
    transient AgentCredentials credentials;

    @Inject
    transient AuthCounters counters;

    @Inject
    transient HandshakeTickets tickets;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String from = request.getRemoteAddr();
        Optional<String> notWebSocket = notAHandshake(request);
        if (notWebSocket.isPresent()) {
            plain(response, HttpServletResponse.SC_BAD_REQUEST, notWebSocket.get());
            return;
        }
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
        String ticket = tickets.file(new Handshake(proved, from, labels));
        try {
            chain.doFilter(new TicketedRequest(request, ticket), response);
        } finally {
            // Taken by the endpoint's configurator when the upgrade happened; dropped here if not.
            tickets.take(ticket);
        }
    }

    /** Why {@code request} is no WebSocket opening handshake (RFC 6455, 4.2.1); empty when it is one. */
    private static Optional<String> notAHandshake(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return Optional.of("a WebSocket handshake is a GET");
        }
        if (!hasToken(request.getHeader("Upgrade"), "websocket")) {
            return Optional.of("Upgrade: websocket expected");
        }
        if (!hasToken(request.getHeader("Connection"), "upgrade")) {
            return Optional.of("Connection: Upgrade expected");
        }
        if (request.getHeader("Sec-WebSocket-Key") == null) {
            return Optional.of("Sec-WebSocket-Key missing");
        }
        return Optional.empty();
    }

    private static boolean hasToken(String header, String token) {
        return header != null && Arrays.stream(header.split(",")).anyMatch(t -> t.trim().equalsIgnoreCase(token));
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
