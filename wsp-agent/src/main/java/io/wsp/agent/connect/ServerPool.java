package io.wsp.agent.connect;

import io.wsp.agent.forward.Forwarder;
import io.wsp.protocol.Greeting;
import io.wsp.protocol.HeadCodec;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The connections to one wsp server. Keeps {@code poolIdleSize} idle connections open, never more
 * than {@code poolMaxSize} in total counting those still opening, and while nothing is connected
 * probes with a single attempt at a time (as the Go agent, which also means at least one
 * connection when the idle size is 0). Failed attempts back off exponentially.
 *
 * <p>Thread safe; all state is guarded by {@code this}. Connections are queried under that lock
 * but never closed or dialled under it.
 */
public final class ServerPool implements ServerConnection.Listener {

    private static final System.Logger LOG = System.getLogger(ServerPool.class.getName());

    private final URI server;
    private final Greeting greeting;
    private final int poolMaxSize;
    private final Dialer dialer;
    private final Forwarder forwarder;
    private final HeadCodec codec;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService dialExecutor;

    // Guarded by this.
    private final Set<ServerConnection> connecting = new HashSet<>();
    private final Set<ServerConnection> open = new HashSet<>();
    /** The open connections that are idle, kept as they change: counting them per request cost a lock per connection. */
    private final Set<ServerConnection> idle = new HashSet<>();
    private final Backoff backoff = new Backoff(Backoff.INITIAL, Backoff.MAX, () -> ThreadLocalRandom.current().nextDouble());
    private long retryAtNanos;
    private boolean retryScheduled;
    private boolean closed;
    /** Set by {@link #drain}: no new connections, and each one is closed as soon as it is idle. */
    private boolean draining;

    ServerPool(URI server, Greeting greeting, int poolMaxSize, Dialer dialer, Forwarder forwarder, HeadCodec codec,
               ScheduledExecutorService scheduler, ExecutorService dialExecutor) {
        this.server = server;
        this.greeting = greeting;
        this.poolMaxSize = poolMaxSize;
        this.dialer = dialer;
        this.forwarder = forwarder;
        this.codec = codec;
        this.scheduler = scheduler;
        this.dialExecutor = dialExecutor;
    }

    public URI server() {
        return server;
    }

    /** Connections whose handshake is done and that are not closed yet. */
    public synchronized int openConnections() {
        return open.size();
    }

    void start() {
        refill();
    }

    /** Opens connections until the idle target is met, within the limits. */
    private void refill() {
        List<ServerConnection> toDial = new ArrayList<>();
        List<ServerConnection> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (draining) {
                open.stream().filter(ServerConnection::isIdle).forEach(toClose::add);
            }
        }
        for (ServerConnection connection : toClose) {
            // The server drops a closed connection from its pool, so it sends it no new request.
            connection.closeIfIdle(CloseCodes.GOING_AWAY.getCode(), "agent draining");
        }
        synchronized (this) {
            if (closed || draining) {
                return;
            }
            long wait = retryAtNanos - System.nanoTime();
            if (wait > 0) {
                scheduleRetry(wait);
                return;
            }
            int wanted;
            if (open.isEmpty()) {
                wanted = connecting.isEmpty() ? 1 : 0;
            } else {
                wanted = greeting.poolIdleSize() - connecting.size() - idle.size();
            }
            wanted = Math.min(wanted, poolMaxSize - connecting.size() - open.size());
            for (int i = 0; i < wanted; i++) {
                ServerConnection connection = new ServerConnection(server, greeting, forwarder, codec, this);
                connecting.add(connection);
                toDial.add(connection);
            }
        }
        for (ServerConnection connection : toDial) {
            try {
                dialExecutor.execute(() -> dial(connection));
            } catch (RejectedExecutionException shuttingDown) {
                synchronized (this) {
                    connecting.remove(connection);
                }
            }
        }
    }

    private void scheduleRetry(long delayNanos) {
        if (retryScheduled) {
            return;
        }
        retryScheduled = true;
        try {
            scheduler.schedule(() -> {
                synchronized (this) {
                    retryScheduled = false;
                }
                refill();
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            retryScheduled = false;
        }
    }

    private void dial(ServerConnection connection) {
        try {
            dialer.dial(connection, server);
        } catch (IOException | DeploymentException | RuntimeException e) {
            dialFailed(connection, e);
        }
    }

    private void dialFailed(ServerConnection connection, Exception error) {
        Duration delay;
        synchronized (this) {
            if (!connecting.remove(connection) || closed) {
                return;
            }
            delay = failedAttempt();
        }
        int refused = Dialer.refusalStatus(error);
        if (refused == 401) {
            LOG.log(System.Logger.Level.ERROR, "server rejected the secret key: {0}; retrying in {1} ms",
                    server, String.valueOf(delay.toMillis()));
        } else if (refused > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0} refused the handshake with status {1}; retrying in {2} ms",
                    server, String.valueOf(refused), String.valueOf(delay.toMillis()));
        } else {
            LOG.log(System.Logger.Level.WARNING, "cannot connect to {0}: {1}; retrying in {2} ms",
                    server, describe(error), String.valueOf(delay.toMillis()));
        }
        refill();
    }

    /** Call holding this. */
    private Duration failedAttempt() {
        Duration delay = backoff.nextDelay();
        retryAtNanos = System.nanoTime() + delay.toNanos();
        return delay;
    }

    @Override
    public boolean opened(ServerConnection connection) {
        int count;
        synchronized (this) {
            connecting.remove(connection);
            if (closed) {
                return false;
            }
            open.add(connection);
            idle.add(connection);
            backoff.reset();
            retryAtNanos = 0;
            count = open.size();
        }
        LOG.log(System.Logger.Level.INFO, "connected to {0} ({1} open)", server, String.valueOf(count));
        refill();
        return true;
    }

    @Override
    public void stateChanged(ServerConnection connection) {
        synchronized (this) {
            // Its state now, not the one it announced: two threads' announcements may cross.
            if (connection.isIdle() && open.contains(connection)) {
                idle.add(connection);
            } else {
                idle.remove(connection);
            }
        }
        refill();
    }

    @Override
    public void closed(ServerConnection connection, boolean early) {
        synchronized (this) {
            open.remove(connection);
            idle.remove(connection);
            connecting.remove(connection);
            notifyAll();
            if (closed) {
                return;
            }
            if (early) {
                // A server that accepts and drops at once (rejecting us after the handshake) is
                // retried with backoff like one that refuses the connection.
                failedAttempt();
            }
        }
        refill();
    }

    /** Pings silent idle connections and closes those that stayed silent; see ServerConnection. */
    void checkLiveness(Duration interval) {
        List<ServerConnection> current;
        synchronized (this) {
            current = new ArrayList<>(open);
        }
        long now = System.nanoTime();
        for (ServerConnection connection : current) {
            connection.checkLiveness(now, interval.toNanos());
        }
    }

    /**
     * Stops taking requests: closes idle connections now and busy ones as they finish, opens no
     * new ones, and waits up to {@code grace} for all of them to be gone.
     */
    void drain(Duration grace) throws InterruptedException {
        synchronized (this) {
            draining = true;
        }
        refill();
        awaitNoneOpen(grace);
    }

    /** Closes every connection and waits up to {@code timeout} for them to finish closing. */
    void close(Duration timeout) throws InterruptedException {
        List<ServerConnection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(open);
        }
        for (ServerConnection connection : toClose) {
            connection.close(CloseCodes.GOING_AWAY.getCode(), "agent shutting down");
        }
        awaitNoneOpen(timeout);
    }

    /** Waits until every connection has closed, or {@code timeout} has passed. */
    private void awaitNoneOpen(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            long left;
            while (!open.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** The innermost message, which names the actual cause (refused, unknown host, status ...). */
    private static String describe(Throwable error) {
        String message = error.toString();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            } else if (t.getCause() == null) {
                message = t.getClass().getSimpleName();
            }
        }
        return message.lines().findFirst().orElse(message);
    }
}
