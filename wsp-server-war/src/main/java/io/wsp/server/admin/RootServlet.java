package io.wsp.server.admin;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The application's root (the empty pattern matches only it) leads to the dashboard. */
@WebServlet(urlPatterns = "")
public class RootServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // Relative, so it works under any context root.
        response.sendRedirect("dashboard/");
    }
}
