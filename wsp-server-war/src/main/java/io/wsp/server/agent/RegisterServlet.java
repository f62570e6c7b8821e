package io.wsp.server.agent;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.Labels;
import io.wsp.protocol.WspProtocol;
import io.wsp.protocol.websocket.WebSocketHandshake;
import io.wsp.server.Timers;
import io.wsp.server.auth.AgentCredentials;
import io.wsp.server.auth.AgentPrincipal;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.registry.AgentRegistry;
import io.wsp.server.websocket.ServerWebSocket;
import io.wsp.server.websocket.UpgradeRequest;
import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * Where agents connect. Checks the handshake before the WebSocket upgrade, so the agent gets a
 * plain HTTP error instead of an upgraded connection that is then closed: 400 for a request that
 * is no WebSocket handshake or has malformed labels, 426 for another WebSocket version, 401 for an
 * {@code X-SECRET-KEY} that is none of ours or that belongs to another agent than the one
 * {@code X-PROXY-AGENT-ID} announces. The Go agent announces no id: its greeting is checked
 * against the key by the connection's {@link AgentEndpoint}.
 */
@WebServlet(urlPatterns = "/register")
public class RegisterServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(RegisterServlet.class.getName());

    @Inject
    transient AgentCredentials credentials;

    @Inject
    transient AuthCounters counters;

    @Inject
    transient AgentRegistry registry;

    @Inject
    transient Timers timers;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String from = request.getRemoteAddr();
        Optional<String> notWebSocket = UpgradeRequest.problem(request);
        if (notWebSocket.isPresent()) {
            plain(response, HttpServletResponse.SC_BAD_REQUEST, notWebSocket.get());
            return;
        }
        if (!UpgradeRequest.versionSupported(request)) {
            response.setHeader("Sec-WebSocket-Version", WebSocketHandshake.VERSION);
            plain(response, 426, "WebSocket version " + WebSocketHandshake.VERSION + " expected");
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
        String accept = WebSocketHandshake.acceptFor(request.getHeader("Sec-WebSocket-Key"));
        ServerWebSocket socket = request.upgrade(ServerWebSocket.class);
        AgentEndpoint endpoint = new AgentEndpoint(socket, new Handshake(proved, from, labels), registry, credentials,
                counters);
        socket.start(endpoint, WspProtocol.MAX_TEXT_MESSAGE, timers.executor());
        response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        response.setHeader("Sec-WebSocket-Accept", accept);
        response.flushBuffer();
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
