package io.wsp.agent.forward;

import io.wsp.agent.forward.http1.Http1Client;
import io.wsp.protocol.RequestHead;
import io.wsp.rules.RuleSet;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Performs the requests of all connections: checks each destination with one
 * {@link DestinationGuard} and calls it with one shared {@link Http1Client}, so connections to the
 * internal APIs are reused. Our own client rather than {@code java.net.http}: that one resolves
 * names itself (a check could not pin the address it connects to) and sends a whole request body
 * before it reads any response (see {@link Http1Client}). Thread safe.
 */
public final class Forwarder implements AutoCloseable {

    /** Request body bytes buffered per exchange: a few frames, so memory stays constant. */
    static final int REQUEST_BODY_BUFFER = 256 * 1024;

    private final DestinationGuard guard;
    /** Checks destinations, looks names up and writes request bodies: all may block. */
    private final ExecutorService clientExecutor;
    /** Relays responses; one thread per response in flight, so a slow caller stalls nobody else. */
    private final ExecutorService relayExecutor;
    /** Response-head deadlines; its tasks only close a socket. */
    private final ScheduledExecutorService deadlines;
    private final Http1Client http1;
    private final Duration requestTimeout;
    private final Traffic traffic = new Traffic();

    /**
     * @param rules          the agent's destination rules
     * @param allowAll       whether an empty whitelist allows everything (else it refuses everything)
     * @param connectTimeout how long connecting to a destination may take
     * @param requestTimeout how long a destination may take to send its response head once it has
     *                       the whole request; zero for no limit
     */
    public Forwarder(RuleSet rules, boolean allowAll, Duration connectTimeout, Duration requestTimeout) {
        this(new DestinationGuard(rules, allowAll, InetAddress::getAllByName), connectTimeout, requestTimeout);
    }

    Forwarder(DestinationGuard guard, Duration connectTimeout, Duration requestTimeout) {
        this.guard = guard;
        this.http1 = new Http1Client(connectTimeout);
        this.requestTimeout = requestTimeout;
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemonThreads("wsp-agent-deadline-"));
        // Nearly every deadline is cancelled: left queued, each would hold its exchange for the
        // whole request timeout (tens of thousands at a few thousand requests a second).
        timer.setRemoveOnCancelPolicy(true);
        this.deadlines = timer;
        this.clientExecutor = Executors.newCachedThreadPool(daemonThreads("wsp-agent-http-"));
        this.relayExecutor = Executors.newCachedThreadPool(daemonThreads("wsp-agent-relay-"));
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

    Http1Client http1() {
        return http1;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    ScheduledExecutorService deadlines() {
        return deadlines;
    }

    ExecutorService clientExecutor() {
        return clientExecutor;
    }

    ExecutorService relayExecutor() {
        return relayExecutor;
    }

    /** Stops the threads; exchanges still running should be cancelled first. */
    @Override
    public void close() {
        deadlines.shutdownNow();
        relayExecutor.shutdownNow();
        clientExecutor.shutdownNow();
        http1.close();
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
