package io.wsp.server.agent;

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
import java.security.Principal;
import java.util.Optional;

/**
 * Refuses an agent handshake whose {@code X-SECRET-KEY} is none of ours before the WebSocket
 * upgrade, so the agent gets a plain 401 instead of an upgraded connection that is then closed.
 * The agent id only arrives with the greeting, after the upgrade; so what the key proved goes on
 * as the request's principal, which the WebSocket session keeps, and {@link AgentEndpoint} checks
 * the id against it.
 */
@WebFilter(urlPatterns = "/register")
public class SecretKeyFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(SecretKeyFilter.class.getName());

    @Inject
    transient AgentCredentials credentials;

    @Inject
    transient AuthCounters counters;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!credentials.required()) {
            // Nothing to prove; the principal still carries where the agent connects from, for /status.
            chain.doFilter(withPrincipal(request, new AgentPrincipal(null, request.getRemoteAddr())), response);
            return;
        }
        Optional<AgentPrincipal> proved = credentials.authenticate(request.getHeader(WspProtocol.SECRET_KEY_HEADER),
                request.getRemoteAddr());
        if (proved.isEmpty()) {
            counters.registrationRefused();
            LOG.log(System.Logger.Level.WARNING, "agent registration refused from {0}: wrong or missing secret key",
                    request.getRemoteAddr());
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentType("text/plain");
            response.getWriter().write("unauthorized\n");
            return;
        }
        chain.doFilter(withPrincipal(request, proved.get()), response);
    }

    /** The WebSocket session keeps the upgrade request's principal: the one portable way to pass it on. */
    private static HttpServletRequest withPrincipal(HttpServletRequest request, AgentPrincipal principal) {
        return new HttpServletRequestWrapper(request) {
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }
        };
    }
}
