package io.wsp.server.cluster;

import io.wsp.server.config.ClusterSettings;
import io.wsp.server.config.ServerSettings;
import io.wsp.server.registry.AgentRegistry;
import io.wsp.server.registry.PeerNode;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.client.ContinueProtocolHandler;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The HTTP client a node forwards requests to other nodes with: Jetty's, which reads the response
 * while the request body is still going out, so an echo streams both ways at once. Created on the
 * first forwarded request, so a single node never starts it.
 *
 * <p>Requests in flight are tracked per node: when a node leaves the cluster, those still waiting
 * on it are aborted at once rather than at a socket timeout, and their callers get an error. Those
 * still waiting for their response head are also watched ({@link PeerWatch}), so a node gone
 * without a word holds none longer than {@code wsp.timeout}.
 */
@ApplicationScoped
public class PeerClient {

    private static final System.Logger LOG = System.getLogger(PeerClient.class.getName());
    static final int MAX_CONNECTIONS_PER_NODE = 4096;
    static final Duration POOLED_IDLE_TIMEOUT = Duration.ofSeconds(4);

    @Inject
    ClusterSettings cluster;

    @Inject
    ServerSettings settings;

    @Inject
    AgentRegistry registry;

    /** The client and the watch of its requests, started together. */
    private record Started(HttpClient client, PeerWatch watch) {
    }

    /** Guarded by this; null until the first forwarded request. */
    private Started started;
    /**
     * Runs each forwarded response's relay, which blocks on the caller's pace for as long as the
     * response lasts: threads of their own, so streams never hold the container's request threads.
     */
    private final ExecutorService relays = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wsp-peer-relay");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Set<Request>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> forwarded = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();

    /**
     * A request to {@code peer}'s internal endpoint, authenticated and tracked; the caller adds the
     * method, headers and body, and sends it.
     */
    public Request newRequest(PeerNode peer) {
        Started s = started();
        // While a request is in flight: a backstop only, as a node that dies is left out within
        // seconds and its requests aborted with it.
        Request request = s.client().newRequest(peer.url().resolve(PeerHeaders.PATH))
                .idleTimeout(settings.bodyIdleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> {
                    h.put(PeerHeaders.SECRET, cluster.secret());
                    h.put(PeerHeaders.NODE, nodeId());
                });
        Set<Request> pending = inFlight.computeIfAbsent(peer.id(), id -> ConcurrentHashMap.newKeySet());
        pending.add(request);
        // Counted by URL, which outlives the node's id: a restarted node keeps its counters.
        String node = peer.url().toString();
        forwarded.computeIfAbsent(node, n -> new LongAdder()).increment();
        // Until its response begins: a node that is gone without a word must not hold it long.
        Runnable answered = s.watch().watch(peer, request::abort);
        request.onResponseBegin(response -> answered.run());
        request.onComplete(result -> {
            answered.run();
            pending.remove(request);
            if (result.isFailed()) {
                failed.computeIfAbsent(node, n -> new LongAdder()).increment();
            }
        });
        return request;
    }

    private String nodeId() {
        return registry instanceof ClusteredAgentRegistry clustered ? clustered.nodeId() : "?";
    }

    /** Where forwarded responses are relayed to their callers. */
    public Executor relayExecutor() {
        return relays;
    }

    /** Requests forwarded so far, by node URL. */
    public Map<String, Long> forwarded() {
        return counts(forwarded);
    }

    /** Forwarded requests that failed at the HTTP level (connection refused, reset, aborted), by node URL. */
    public Map<String, Long> failed() {
        return counts(failed);
    }

    private static Map<String, Long> counts(Map<String, LongAdder> adders) {
        Map<String, Long> copy = new java.util.TreeMap<>();
        adders.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** A connection to {@code peer} failed: the registry stops choosing it until it shows it is alive. */
    public void unreachable(PeerNode peer) {
        if (registry instanceof ClusteredAgentRegistry clustered) {
            clustered.unreachable(peer);
        }
    }

    /** Aborts every request still in flight to {@code peer}: it left the cluster. */
    void abortAll(PeerNode peer) {
        Set<Request> pending = inFlight.remove(peer.id());
        if (pending == null || pending.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "cluster: aborting {0} requests forwarded to node {1}, which left",
                String.valueOf(pending.size()), peer.id());
        IOException why = new IOException("cluster node " + peer.id() + " left the cluster");
        pending.forEach(r -> r.abort(why));
    }

    private synchronized Started started() {
        if (started == null) {
            // Only a clustered registry names other nodes to forward to.
            ClusteredAgentRegistry clustered = (ClusteredAgentRegistry) registry;
            HttpClient client = start();
            PeerWatch watch = new PeerWatch(settings.timeout(), clustered::probe, this::unreachable);
            started = new Started(client, watch);
            clustered.onPeerLeave(this::abortAll);
            watch.start();
        }
        return started;
    }

    private HttpClient start() {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("wsp-peer-client");
        threads.setDaemon(true);
        HttpClient c = new HttpClient();
        c.setExecutor(threads);
        c.setScheduler(new ScheduledExecutorScheduler("wsp-peer-client-scheduler", true));
        // A node that does not accept within wsp.timeout is as good as dead for this request.
        c.setConnectTimeout(Math.max(1, settings.timeout().toMillis()));
        // Kept-alive connections are closed before the other node closes them (Payara: after 5 s,
        // payara-config), so a request is rarely sent on one that is being closed.
        c.setIdleTimeout(POOLED_IDLE_TIMEOUT.toMillis());
        // A forwarded request holds its connection for its whole life, streams included: the
        // callers bound how many there are; this only stops a runaway.
        c.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_NODE);
        c.setFollowRedirects(false);
        c.setHttpCookieStore(new HttpCookieStore.Empty());
        c.setUserAgentField(null);
        c.setDefaultRequestContentType(null);
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the cluster's HTTP client: " + e.getMessage(), e);
        }
        // Only now, as the agent does: starting adds handlers that would answer 401s or follow
        // redirects themselves and decoders that would unzip bodies; the caller must get them as sent.
        c.getProtocolHandlers().clear();
        c.getProtocolHandlers().put(new ContinueProtocolHandler());
        c.getContentDecoderFactories().clear();
        return c;
    }

    @PreDestroy
    synchronized void stop() {
        relays.shutdownNow();
        if (started != null) {
            started.watch().close();
            try {
                started.client().stop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "stopping the cluster's HTTP client: {0}", e.toString());
            }
        }
    }
}
