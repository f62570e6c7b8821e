package io.wsp.agent.forward;

import io.wsp.agent.forward.http1.Http1Client;
import io.wsp.protocol.RequestHead;
import io.wsp.rules.RuleSet;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Performs the requests of all connections with shared clients, so connections to the internal
 * APIs are reused: {@link HttpClient} for requests without a body, the full-duplex
 * {@link Http1Client} for requests with one (see {@link Exchange} for why). Thread safe.
 */
public final class Forwarder implements AutoCloseable {

    /** Request body bytes buffered per exchange: a few frames, so memory stays constant. */
    static final int REQUEST_BODY_BUFFER = 256 * 1024;

    private final RuleSet rules;
    /** Runs HTTP client tasks, including blocking reads of request bodies and full-duplex body writers. */
    private final ExecutorService clientExecutor;
    /** Relays responses; one thread per response in flight, so a slow caller stalls nobody else. */
    private final ExecutorService relayExecutor;
    /** Response-head deadlines of full-duplex calls; its tasks only close a socket. */
    private final ScheduledExecutorService deadlines;
    private final HttpClient client;
    private final Http1Client http1;
    private final Duration requestTimeout;

    /**
     * @param connectTimeout how long connecting to a destination may take
     * @param requestTimeout how long a destination may take to send its response head once it has
     *                       the whole request; zero for no limit
     */
    public Forwarder(RuleSet rules, Duration connectTimeout, Duration requestTimeout) {
        this.rules = rules;
        this.requestTimeout = requestTimeout;
        this.http1 = new Http1Client(connectTimeout);
        this.deadlines = Executors.newSingleThreadScheduledExecutor(daemonThreads("wsp-agent-deadline-"));
        this.clientExecutor = Executors.newCachedThreadPool(daemonThreads("wsp-agent-http-"));
        this.relayExecutor = Executors.newCachedThreadPool(daemonThreads("wsp-agent-relay-"));
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .executor(clientExecutor)
                .build();
    }

    /** Starts performing one request; its response goes to {@code sink}. */
    public Exchange start(RequestHead head, ResponseSink sink) {
        return Exchange.start(this, head, sink);
    }

    RuleSet rules() {
        return rules;
    }

    HttpClient client() {
        return client;
    }

    Http1Client http1() {
        return http1;
    }

    ExecutorService clientExecutor() {
        return clientExecutor;
    }

    ExecutorService relayExecutor() {
        return relayExecutor;
    }

    ScheduledExecutorService deadlines() {
        return deadlines;
    }

    /** Zero: no limit. */
    Duration requestTimeout() {
        return requestTimeout;
    }

    /** Stops the threads; exchanges still running should be cancelled first. */
    @Override
    public void close() {
        relayExecutor.shutdownNow();
        clientExecutor.shutdownNow();
        deadlines.shutdownNow();
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
