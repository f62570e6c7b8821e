package io.wsp.server.proxy;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.HeadCodec;
import io.wsp.protocol.Labels;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.Timers;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.auth.Caller;
import io.wsp.server.auth.CallerAuthenticator;
import io.wsp.server.auth.ForbiddenException;
import io.wsp.server.config.ServerSettings;
import io.wsp.server.metrics.TrafficStats;
import io.wsp.server.lifecycle.Draining;
import io.wsp.server.registry.AgentRegistry;
import io.wsp.server.registry.AgentSelector;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /request}: authenticates the caller, validates its destination and hands the request to
 * an {@link Exchange}, which carries it over an agent connection. Every HTTP method is forwarded.
 * Every request, refused or carried, ends in the counters and the {@link AccessLog}.
 */
@WebServlet(urlPatterns = "/request", asyncSupported = true)
public class ProxyServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(ProxyServlet.class.getName());

    @Inject
    transient AgentRegistry registry;

    @Inject
    transient ServerSettings settings;

    @Inject
    transient Timers timers;

    @Inject
    transient CallerAuthenticator callers;

    @Inject
    transient AuthCounters counters;

    @Inject
    transient TrafficStats stats;

    @Inject
    transient Draining draining;

    @Inject
    transient AccessLog accessLog;

    private transient HeadCodec codec;

    @Override
    public void init() {
        codec = new HeadCodec();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String requestId = RequestId.of(request);
        AccessRecord record = new AccessRecord(stats, accessLog, requestId, request.getMethod());
        response.setHeader(RequestId.HEADER, requestId);
        if (draining.isDraining()) {
            // Another replica, or this one once restarted, can take it: worth retrying.
            response.setHeader("Retry-After", "1");
            refuse(request, response, record, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Server shutting down",
                    "this wsp server is stopping and takes no new requests");
            return;
        }
        Map<String, List<String>> received = RequestHeads.received(request);
        long headerBytes = HeaderSection.bytes(received);
        if (headerBytes > settings.maxHeaderBytes()) {
            // Checked first: nothing in an oversized head is worth reading, the caller's key included.
            LOG.log(System.Logger.Level.WARNING, "request {0} from {1} refused: header section of {2} bytes",
                    requestId, request.getRemoteAddr(), String.valueOf(headerBytes));
            refuse(request, response, record, 431, "Request header fields too large",
                    "the request's header section is larger than " + settings.maxHeaderBytes() + " bytes");
            return;
        }
        Caller caller = callers.authenticate(request.getHeader(CallerAuthenticator.AUTHORIZATION_HEADER),
                request.getHeader(CallerAuthenticator.API_KEY_HEADER)).orElse(null);
        if (caller == null) {
            unauthenticated(request, response, record);
            return;
        }
        record.caller(caller.name());
        String destination;
        try {
            destination = Destination.parse(request.getHeader(WspProtocol.DESTINATION_HEADER));
        } catch (Destination.InvalidDestinationException e) {
            refuse(request, response, record, HttpServletResponse.SC_BAD_REQUEST, "Invalid destination", e.getMessage());
            return;
        }
        record.destination(destination);
        String agentId = request.getHeader(WspProtocol.AGENT_HEADER);
        if (agentId != null && !Greeting.validId(agentId)) {
            refuse(request, response, record, HttpServletResponse.SC_BAD_REQUEST, "Invalid agent",
                    WspProtocol.AGENT_HEADER + " must be an agent id: 1-200 printable characters without spaces");
            return;
        }
        Labels selector;
        try {
            selector = Labels.parse(request.getHeader(WspProtocol.AGENT_SELECTOR_HEADER));
        } catch (IllegalArgumentException e) {
            refuse(request, response, record, HttpServletResponse.SC_BAD_REQUEST, "Invalid agent selector",
                    WspProtocol.AGENT_SELECTOR_HEADER + ": " + e.getMessage());
            return;
        }
        RequestHead head = RequestHeads.from(request, received, destination, requestId, caller.credentialHeader());
        Optional<String> denied = settings.rules().deniedReason(head.method, destination, head.header);
        if (denied.isPresent()) {
            refuse(request, response, record, HttpServletResponse.SC_FORBIDDEN, "Destination forbidden", denied.get());
            return;
        }
        try {
            agentId = caller.agent(agentId);
            caller.checkDestination(head.method, destination, head.header);
        } catch (ForbiddenException e) {
            counters.callForbidden();
            LOG.log(System.Logger.Level.WARNING, "request {0} from {1}: caller {2} refused: {3}", requestId,
                    request.getRemoteAddr(), caller.name(), e.getMessage());
            refuse(request, response, record, HttpServletResponse.SC_FORBIDDEN, "Forbidden for this API key", e.getMessage());
            return;
        }
        if (settings.maxRequestBodyBytes() > 0 && head.contentLength > settings.maxRequestBodyBytes()) {
            // Refused before any agent connection is taken: not one byte of it is forwarded.
            LOG.log(System.Logger.Level.WARNING, "request {0} from {1} refused: body of {2} bytes", requestId,
                    request.getRemoteAddr(), String.valueOf(head.contentLength));
            refuse(request, response, record, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, RequestBodyLimit.TITLE,
                    RequestBodyLimit.detail(settings.maxRequestBodyBytes()));
            return;
        }
        AsyncContext async = request.startAsync();
        // Streams may run for hours; the exchange enforces its own limits.
        async.setTimeout(0);
        new Exchange(async, head, record, registry, codec, timers, settings).start(settings.timeout(),
                new AgentSelector(agentId, selector));
    }

    /** Says the same for a missing and a wrong key, so a guess learns nothing. */
    private void unauthenticated(HttpServletRequest request, HttpServletResponse response, AccessRecord record)
            throws IOException {
        counters.callUnauthenticated();
        LOG.log(System.Logger.Level.WARNING, "request {0} from {1} refused: missing or unknown API key", record.requestId(),
                request.getRemoteAddr());
        response.setHeader("WWW-Authenticate", "Bearer realm=\"wsp\"");
        refuse(request, response, record, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized",
                "an API key is required: Authorization: Bearer <key> or " + CallerAuthenticator.API_KEY_HEADER + ": <key>");
    }

    /** Refusals are the caller's doing, not a failure of wsp: counted by status, with no error. */
    private static void refuse(HttpServletRequest request, HttpServletResponse response, AccessRecord record, int status,
                               String title, String detail) throws IOException {
        UnreadBody.discard(request);
        Problem.send(response, status, title, detail);
        record.end(status, 0, 0, null);
    }

}
