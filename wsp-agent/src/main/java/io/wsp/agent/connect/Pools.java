package io.wsp.agent.connect;

import io.wsp.agent.config.AgentConfig;
import io.wsp.agent.forward.Forwarder;
import io.wsp.protocol.Greeting;
import io.wsp.protocol.HeadCodec;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pools of all configured servers and the threads they share: one WebSocket client, a dialler
 * pool (a handshake blocks its thread) and one scheduler for backoff retries and liveness checks.
 */
public final class Pools implements AutoCloseable {

    /** How long {@link #close()} waits for servers to acknowledge the close of their connections. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Dialer dialer;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(daemonThreads("wsp-agent-retry-"));
    private final ExecutorService dialExecutor = Executors.newCachedThreadPool(daemonThreads("wsp-agent-dial-"));
    private final List<ServerPool> pools;

    private final Duration pingInterval;

    public Pools(AgentConfig config, Forwarder forwarder, HeadCodec codec) {
        this.dialer = new Dialer(config.id(), config.labels(), config.secretKey(), config.sslContext());
        Greeting greeting = new Greeting(config.id(), config.poolIdleSize());
        this.pools = config.servers().stream()
                .map(server -> new ServerPool(server, greeting, config.poolMaxSize(), dialer, forwarder, codec,
                        scheduler, dialExecutor))
                .toList();
        this.pingInterval = config.pingInterval();
    }

    public void start() {
        pools.forEach(ServerPool::start);
        if (!pingInterval.isZero()) {
            // Checked more often than the interval, so a silent connection is noticed promptly.
            long every = Math.max(50, Math.min(1000, pingInterval.toMillis() / 4));
            scheduler.scheduleWithFixedDelay(() -> pools.forEach(pool -> pool.checkLiveness(pingInterval)),
                    every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Open connections per server, in configuration order. */
    public Map<URI, Integer> openConnections() {
        Map<URI, Integer> counts = new LinkedHashMap<>();
        pools.forEach(pool -> counts.merge(pool.server(), pool.openConnections(), Integer::sum));
        return counts;
    }

    /** Lets requests in flight finish, up to {@code grace} in all, while taking no new ones. */
    public void drain(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        for (ServerPool pool : pools) {
            pool.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /**
     * Closes all connections, then stops the pools' threads. Dials under way are not interrupted:
     * Tyrus leaves the connection open when its wait for the upgrade answer is interrupted. Each
     * ends within its timeouts, and one that succeeds finds its pool closed and closes at once.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            for (ServerPool pool : pools) {
                pool.close(CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dialExecutor.shutdown();
            dialer.close();
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
