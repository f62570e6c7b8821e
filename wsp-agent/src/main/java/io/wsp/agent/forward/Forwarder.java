package io.wsp.agent.forward;

import io.wsp.protocol.RequestHead;
import io.wsp.rules.RuleSet;
import java.net.InetAddress;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;

/**
 * Performs the requests of all connections: checks each destination with one
 * {@link DestinationGuard} and calls it with one shared Jetty {@link HttpClient}, so connections to
 * the internal APIs are reused. Jetty's rather than {@code java.net.http}: that one resolves names
 * itself (a check could not pin the address it connects to) and sends a whole HTTP/1.1 request body
 * before it reads any response, so an API that echoes a large upload deadlocks it. Thread safe.
 *
 * <p>Threads: each connection's receive thread checks its destinations and looks names up (see
 * {@link Exchange}); Jetty's own pool ({@code wsp-agent-jetty-*}) does all network I/O and calls the
 * exchanges' listeners, which never block; Jetty's scheduler also runs the deadlines, which only
 * abort a request; the relay executor ({@code wsp-agent-relay-*}) makes the blocking WebSocket sends
 * of bodies sent in frames. {@link #close} stops all of them.
 */
public final class Forwarder implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Forwarder.class.getName());

    /** Request body bytes in flight per exchange: a few frames, so memory stays constant. */
    static final int REQUEST_BODY_BUFFER = 256 * 1024;

    private final DestinationGuard guard;
    /** One thread per response in flight, so a slow caller stalls nobody else. */
    private final ExecutorService relayExecutor;
    private final HttpClient client;
    private final Deadlines deadlines;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Traffic traffic = new Traffic();

    /**
     * @param rules          the agent's destination rules
     * @param allowAll       whether an empty whitelist allows everything (else it refuses everything)
     * @param connectTimeout how long connecting to a destination may take (TCP, and TLS for https)
     * @param requestTimeout how long a destination may take to send its response head once it has
     *                       the whole request; zero for no limit
     */
    public Forwarder(RuleSet rules, boolean allowAll, Duration connectTimeout, Duration requestTimeout) {
        this(new DestinationGuard(rules, allowAll, InetAddress::getAllByName), connectTimeout, requestTimeout);
    }

    Forwarder(DestinationGuard guard, Duration connectTimeout, Duration requestTimeout) {
        this(guard, connectTimeout, requestTimeout, jvmDefaultTls());
    }

    /** @param tls trust (and any client certificate) for https destinations */
    Forwarder(DestinationGuard guard, Duration connectTimeout, Duration requestTimeout, SSLContext tls) {
        this.guard = guard;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.relayExecutor = Executors.newCachedThreadPool(daemonThreads("wsp-agent-relay-"));
        this.client = InternalHttpClient.start(connectTimeout, tls);
        this.deadlines = new Deadlines(client.getScheduler());
    }

    /** Starts performing one request; its response goes to {@code sink}. */
    public Exchange start(RequestHead head, ResponseSink sink) {
        return Exchange.start(this, head, traffic.track(sink));
    }

    /** What this forwarder has answered so far. */
    public Traffic traffic() {
        return traffic;
    }

    /** Whether every request will be refused, for a warning at start. */
    public boolean refusesEverything() {
        return guard.refusesEverything();
    }

    DestinationGuard guard() {
        return guard;
    }

    HttpClient client() {
        return client;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    Deadlines deadlines() {
        return deadlines;
    }

    ExecutorService relayExecutor() {
        return relayExecutor;
    }

    /** Stops every thread and closes every connection, aborting calls still in flight. */
    @Override
    public void close() {
        deadlines.destroy();
        try {
            client.stop();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the HTTP client failed: {0}", e.toString());
        }
        relayExecutor.shutdownNow();
    }

    /** The JVM's default trust ({@code javax.net.ssl.trustStore}, else the JDK's cacerts), as for any JVM client. */
    private static SSLContext jvmDefaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
