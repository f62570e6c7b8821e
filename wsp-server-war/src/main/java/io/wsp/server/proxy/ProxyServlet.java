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
import io.wsp.server.cluster.PeerClient;
import io.wsp.server.cluster.PeerHeaders;
import io.wsp.server.config.ClusterSettings;
import io.wsp.server.config.ServerSettings;
import io.wsp.server.lifecycle.Draining;
import io.wsp.server.metrics.TrafficStats;
import io.wsp.server.registry.AgentRegistry;
import io.wsp.server.registry.AgentSelector;
import io.wsp.server.registry.PeerNode;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code /request}: authenticates the caller, validates its destination and hands the request to
 * an {@link Exchange}, which carries it over an agent connection, or in cluster mode to a
 * {@link PeerRelay} when another node holds the connection that should carry it. Every HTTP method
 * is forwarded. Every request, refused or carried, ends in the counters and the {@link AccessLog}.
 *
 * <p>{@code /cluster/request} is the same for requests another node forwarded: authenticated by
 * the cluster secret instead of a caller key (the forwarding node checked the caller), carried by
 * this node's own connections only, never forwarded again.
 */
@WebServlet(urlPatterns = {"/request", "/" + PeerHeaders.PATH}, asyncSupported = true)
public class ProxyServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(ProxyServlet.class.getName());
    /** A caller name from another node goes into log lines: nothing that could forge one. */
    private static final Pattern CALLER_NAME = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");
    /**
     * Two: a dead node's kept-alive connection fails first, the new one it is then retried on is
     * refused (which leaves the node out), and the third try goes elsewhere.
     */
    private static final int MAX_RETRIES = 2;

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

    @Inject
    transient ClusterSettings cluster;

    @Inject
    transient PeerClient peers;

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
        boolean fromPeer = request.getServletPath().equals("/" + PeerHeaders.PATH);
        if (fromPeer && !cluster.enabled()) {
            refuse(request, response, record, HttpServletResponse.SC_NOT_FOUND, "Not found",
                    "cluster mode is off on this server (wsp.cluster)");
            return;
        }
        if (draining.isDraining()) {
            // Another replica, or this one once restarted, can take it: worth retrying.
            response.setHeader("Retry-After", "1");
            refuse(request, response, record, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Server shutting down",
                    "this wsp server is stopping and takes no new requests");
            return;
        }
        Map<String, List<String>> received = RequestHeads.received(request);
        long headerBytes = HeaderSection.bytes(received);
        // A forwarded request was checked by the node it reached, and carries a few headers more.
        if (!fromPeer && headerBytes > settings.maxHeaderBytes()) {
            // Checked first: nothing in an oversized head is worth reading, the caller's key included.
            LOG.log(System.Logger.Level.WARNING, "request {0} from {1} refused: header section of {2} bytes",
                    requestId, request.getRemoteAddr(), String.valueOf(headerBytes));
            refuse(request, response, record, 431, "Request header fields too large",
                    "the request's header section is larger than " + settings.maxHeaderBytes() + " bytes");
            return;
        }
        Caller caller;
        if (fromPeer) {
            if (!PeerHeaders.secretMatches(cluster, request.getHeader(PeerHeaders.SECRET))) {
                counters.callUnauthenticated();
                LOG.log(System.Logger.Level.WARNING, "request {0} from {1} refused: wrong or missing cluster secret",
                        requestId, request.getRemoteAddr());
                refuse(request, response, record, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized",
                        "this endpoint is for the nodes of a wsp cluster: " + PeerHeaders.SECRET + " must be the cluster secret");
                return;
            }
            caller = null;
            String name = request.getHeader(PeerHeaders.CALLER);
            record.caller((name != null && CALLER_NAME.matcher(name).matches() ? name : "unknown") + " via node "
                    + nodeName(request.getHeader(PeerHeaders.NODE)));
        } else {
            caller = callers.authenticate(request.getHeader(CallerAuthenticator.AUTHORIZATION_HEADER),
                    request.getHeader(CallerAuthenticator.API_KEY_HEADER)).orElse(null);
            if (caller == null) {
                unauthenticated(request, response, record);
                return;
            }
            record.caller(caller.name());
        }
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
        RequestHead head = fromPeer ? RequestHeads.fromPeer(request, received, destination, requestId)
                : RequestHeads.from(request, received, destination, requestId, caller.credentialHeader());
        Optional<String> denied = settings.rules().deniedReason(head.method, destination, head.header);
        if (denied.isPresent()) {
            refuse(request, response, record, HttpServletResponse.SC_FORBIDDEN, "Destination forbidden", denied.get());
            return;
        }
        try {
            if (caller != null) {
                agentId = caller.agent(agentId);
                caller.checkDestination(head.method, destination, head.header);
            }
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
        AsyncEvents events = new AsyncEvents();
        async.addListener(events);
        AgentSelector agents = new AgentSelector(agentId, selector);
        if (fromPeer) {
            new Exchange(async, head, record, registry, codec, timers, settings).start(settings.timeout(), agents, events);
            return;
        }
        String selectorHeader = selector.isEmpty() ? null : request.getHeader(WspProtocol.AGENT_SELECTOR_HEADER);
        carry(new Carried(async, events, head, record, agents, destination, selectorHeader, caller.name()), MAX_RETRIES);
    }

    /** A request past every check, and what forwarding it to another node needs. */
    private record Carried(AsyncContext async, AsyncEvents events, RequestHead head, AccessRecord record,
                           AgentSelector agents, String destination, String selectorHeader, String callerName) {

        /** wsp's own headers for the other node, made only when the request is forwarded. */
        Map<String, String> routing() {
            Map<String, String> routing = new LinkedHashMap<>();
            routing.put(WspProtocol.DESTINATION_HEADER, destination);
            if (agents.agentId() != null) {
                routing.put(WspProtocol.AGENT_HEADER, agents.agentId());
            }
            if (selectorHeader != null) {
                routing.put(WspProtocol.AGENT_SELECTOR_HEADER, selectorHeader);
            }
            return routing;
        }
    }

    /**
     * Carries the request on this node's connections, or forwards it to the node the registry
     * names. A request without a body whose node failed before answering is carried again (see
     * {@link PeerRelay}): nothing of it was lost, and a node that refused the connection is left out.
     */
    private void carry(Carried c, int retries) {
        Optional<PeerNode> peer = registry.peerFor(c.agents());
        if (peer.isEmpty()) {
            new Exchange(c.async(), c.head(), c.record(), registry, codec, timers, settings).start(settings.timeout(),
                    c.agents(), c.events());
            return;
        }
        // A body of unknown length (HTTP/2) may be empty; the relay retries only if it was.
        Runnable retry = retries > 0 && c.head().contentLength <= 0 ? () -> carry(c, retries - 1) : null;
        new PeerRelay(c.async(), c.head(), c.record(), timers.executor(), peers, retry).start(peer.get(), c.routing(),
                c.callerName(), c.events());
    }

    /** The forwarding node's id, for the log: its own, or a placeholder when it sent none that fits. */
    private static String nodeName(String id) {
        return id != null && CALLER_NAME.matcher(id).matches() ? id : "?";
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
