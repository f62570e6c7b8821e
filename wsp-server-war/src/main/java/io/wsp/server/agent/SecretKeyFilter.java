package io.wsp.server.agent;

import io.wsp.protocol.WspProtocol;
import io.wsp.server.config.ServerSettings;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Refuses an agent handshake without the right {@code X-SECRET-KEY} before the WebSocket upgrade,
 * so the agent gets a plain 401 instead of an upgraded connection that is then closed.
 */
@WebFilter(urlPatterns = "/register")
public class SecretKeyFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(SecretKeyFilter.class.getName());

    @Inject
    ServerSettings settings;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (settings.secretKeyRequired() && !matches(request.getHeader(WspProtocol.SECRET_KEY_HEADER))) {
            LOG.log(System.Logger.Level.WARNING, "agent registration refused from {0}: wrong or missing secret key",
                    request.getRemoteAddr());
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentType("text/plain");
            response.getWriter().write("unauthorized\n");
            return;
        }
        chain.doFilter(request, response);
    }

    /** Constant-time, so response timing does not reveal how much of a guess was right. */
    private boolean matches(String given) {
        if (given == null) {
            return false;
        }
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                settings.secretKey().getBytes(StandardCharsets.UTF_8));
    }
}
