package io.wsp.server.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The dashboard may not be framed by another site: its form takes the admin key, which a page
 * framing it could trick an operator into typing. Set here rather than by the container, whose
 * own such header (Payara's) would land on every proxied response as well, where framing is the
 * internal API's choice.
 */
@WebFilter(urlPatterns = "/dashboard/*")
public class DashboardFrameFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
        chain.doFilter(request, response);
    }
}
