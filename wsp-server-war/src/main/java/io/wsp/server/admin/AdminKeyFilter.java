package io.wsp.server.admin;

import io.wsp.server.auth.AuthCounters;
import io.wsp.server.auth.KeyDigest;
import io.wsp.server.auth.PresentedKey;
import io.wsp.server.config.ServerSettings;
import io.wsp.server.proxy.Problem;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * With {@code wsp.adminKey} set, {@code /status} and {@code /metrics} (agent ids, addresses,
 * traffic) need that key as {@code Authorization: Bearer} or {@code X-API-Key}; without it they
 * stay open. Health probes stay open either way: orchestrators call them without keys and they
 * tell nothing but up or down. The dashboard page is static and holds no data: it asks for the
 * key when {@code /status} answers 401.
 */
@WebFilter(urlPatterns = {"/status", "/metrics"})
public class AdminKeyFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(AdminKeyFilter.class.getName());

    @Inject
    transient ServerSettings settings;

    @Inject
    transient AuthCounters counters;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        KeyDigest adminKey = settings.adminKey();
        PresentedKey presented = adminKey == null ? null : PresentedKey.of(
                request.getHeader(PresentedKey.AUTHORIZATION_HEADER), request.getHeader(PresentedKey.API_KEY_HEADER));
        if (adminKey == null || (presented != null && adminKey.matches(KeyDigest.digest(presented.token())))) {
            chain.doFilter(request, response);
            return;
        }
        counters.adminCallRefused();
        LOG.log(System.Logger.Level.WARNING, "{0} from {1} refused: missing or wrong admin key", request.getServletPath(),
                request.getRemoteAddr());
        response.setHeader("WWW-Authenticate", "Bearer realm=\"wsp-admin\"");
        response.setHeader("Cache-Control", "no-store");
        Problem.send(response, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized",
                "the admin key is required: Authorization: Bearer <key> or " + PresentedKey.API_KEY_HEADER + ": <key>");
    }
}
