package io.wsp.server.proxy;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.HeadCodec;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.Timers;
import io.wsp.server.config.ServerSettings;
import io.wsp.server.registry.AgentRegistry;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code /request}: validates the caller's destination and hands the request to an
 * {@link Exchange}, which carries it over an agent connection. Every HTTP method is forwarded.
 */
@WebServlet(urlPatterns = "/request", asyncSupported = true)
public class ProxyServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient AgentRegistry registry;

    @Inject
    transient ServerSettings settings;

    @Inject
    transient Timers timers;

    private transient HeadCodec codec;

    @Override
    public void init() {
        codec = new HeadCodec();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String requestId = RequestId.of(request);
        response.setHeader(RequestId.HEADER, requestId);
        String destination;
        try {
            destination = Destination.parse(request.getHeader(WspProtocol.DESTINATION_HEADER));
        } catch (Destination.InvalidDestinationException e) {
            refuse(request, response, HttpServletResponse.SC_BAD_REQUEST, "Invalid destination", e.getMessage());
            return;
        }
        String agentId = request.getHeader(WspProtocol.AGENT_HEADER);
        if (agentId != null && !Greeting.validId(agentId)) {
            refuse(request, response, HttpServletResponse.SC_BAD_REQUEST, "Invalid agent",
                    WspProtocol.AGENT_HEADER + " must be an agent id: 1-200 printable characters without spaces");
            return;
        }
        RequestHead head = RequestHeads.from(request, destination, requestId);
        Optional<String> denied = settings.rules().deniedReason(head.method, destination, head.header);
        if (denied.isPresent()) {
            refuse(request, response, HttpServletResponse.SC_FORBIDDEN, "Destination forbidden", denied.get());
            return;
        }
        AsyncContext async = request.startAsync();
        // Streams may run for hours; the exchange enforces its own limits.
        async.setTimeout(0);
        new Exchange(async, head, requestId, registry, codec, timers, settings).start(settings.timeout(), agentId);
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String title,
                               String detail) throws IOException {
        UnreadBody.discard(request);
        Problem.send(response, status, title, detail);
    }

    @Override
    public void destroy() {
        try {
            codec.close();
        } catch (Exception e) {
            log("closing the JSON codec failed", e);
        }
    }

}
