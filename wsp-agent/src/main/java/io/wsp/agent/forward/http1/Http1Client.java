package io.wsp.agent.forward.http1;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;

/**
 * A full-duplex HTTP/1.1 client with a small idle-connection pool. {@code java.net.http.HttpClient}
 * writes the whole HTTP/1.1 request body before it reads the response, so a destination that echoes
 * a large upload while reading it deadlocks once the socket buffers fill (measured with 64 MiB on
 * JDK 17 and 25); here the body is written and the response read on two threads. Thread safe.
 */
public final class Http1Client implements AutoCloseable {

    /** How often idle connections are checked for expiry. */
    private static final long SWEEP_SECONDS = 10;

    private final Duration connectTimeout;
    private final SSLSocketFactory tls;
    private final ConnectionPool pool = new ConnectionPool();
    private final ScheduledExecutorService sweeper;

    public Http1Client(Duration connectTimeout) {
        this(connectTimeout, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    Http1Client(Duration connectTimeout, SSLSocketFactory tls) {
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "wsp-agent-http1-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(pool::closeExpired, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Prepares one request to {@code destination}, connecting to {@code address} (the destination's
     * host, resolved by the caller); no I/O yet. {@code contentLength} is the exact body length, or
     * -1 for a body of unknown length, sent chunked.
     *
     * @throws IllegalArgumentException for a destination, method or header that cannot be sent
     */
    public Http1Exchange newExchange(URI destination, InetAddress address, String method,
            Map<String, List<String>> headers, long contentLength) {
        Route route = Route.of(destination, address);
        byte[] head = RequestHeadEncoder.encode(method, destination, route, headers, contentLength);
        return new Http1Exchange(this, route, method, head, contentLength);
    }

    /**
     * A pooled connection that still looks alive, else a new one. A request without a body skips
     * the probe for a peer close: if the connection turns out dead before the first response byte,
     * the request is sent again on a new one ({@link Http1Exchange#readResponse}), which a body
     * already sent would not allow.
     */
    Connection acquire(Route route, boolean bodiless) throws IOException {
        Connection idle = pool.take(route, !bodiless);
        return idle != null ? idle : connect(route);
    }

    Connection connect(Route route) throws IOException {
        return Connection.open(route, connectTimeout, tls);
    }

    void release(Connection c) {
        pool.release(c);
    }

    /** Idle connections held now; for tests. */
    int idleConnections() {
        return pool.idleCount();
    }

    /** Closes the idle connections; exchanges in flight finish on theirs. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        pool.close();
    }
}
