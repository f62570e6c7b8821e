package io.wsp.server.registry;

import io.wsp.protocol.WspProtocol;
import io.wsp.server.agent.AgentConnection;
import io.wsp.server.agent.ConnectionState;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The registry of one server node, in memory. All state sits behind one lock: the sections are
 * short, and one lock makes hand-offs between releasing connections and waiting requests
 * impossible to get half right. Futures are completed and sockets closed outside the lock.
 */
public class LocalAgentRegistry implements AgentRegistry {

    private static final System.Logger LOG = System.getLogger(LocalAgentRegistry.class.getName());
    /** How often surplus idle connections are looked for; far below any sensible idle timeout. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    private final Duration idleTimeout;
    private final Duration pingInterval;
    private final int maxWaiting;
    private final ScheduledExecutorService timer;

    private final Object lock = new Object();
    /** Guarded by lock. Insertion order keeps the status page stable. */
    private final Map<String, AgentPool> pools = new LinkedHashMap<>();
    /** Guarded by lock. Requests waiting for a connection, oldest first. */
    private final Deque<Waiter> waiters = new ArrayDeque<>();

    /** A request waiting for a connection of an agent its selector matches. */
    private record Waiter(CompletableFuture<AgentConnection> future, AgentSelector selector) {

        boolean accepts(AgentConnection connection) {
            return selector.matches(connection.agentId(), connection.labels());
        }
    }

    /**
     * @param pingInterval how often an idle connection that has been silent is pinged; one silent
     *                     for two intervals is presumed dead and dropped. Zero turns pings off.
     * @param maxWaiting   how many requests may wait for a connection at once; beyond that they are
     *                     refused at once, so a burst cannot pile up threads and memory
     */
    public LocalAgentRegistry(Duration idleTimeout, Duration pingInterval, int maxWaiting,
                              ScheduledExecutorService timer) {
        this.idleTimeout = idleTimeout;
        this.pingInterval = pingInterval;
        this.maxWaiting = maxWaiting;
        this.timer = timer;
        long sweep = SWEEP_INTERVAL.toMillis();
        timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    @Override
    public void add(AgentConnection connection) {
        synchronized (lock) {
            AgentPool pool = pools.computeIfAbsent(connection.agentId(),
                    id -> new AgentPool(id, connection.poolIdleSize()));
            pool.idleSize = connection.poolIdleSize();
            pool.labels = connection.labels();
            pool.remoteAddress = connection.remoteAddress();
            pool.connections.add(connection);
            connection.state(ConnectionState.BUSY);
        }
        LOG.log(System.Logger.Level.DEBUG, "{0} added", connection);
        release(connection);
    }

    @Override
    public void remove(AgentConnection connection) {
        List<Waiter> orphans = new ArrayList<>();
        synchronized (lock) {
            if (connection.state() == ConnectionState.CLOSED) {
                return;
            }
            connection.state(ConnectionState.CLOSED);
            AgentPool pool = pools.get(connection.agentId());
            if (pool != null) {
                pool.connections.remove(connection);
                pool.idle.remove(connection);
                if (pool.connections.isEmpty()) {
                    pools.remove(pool.agentId);
                    LOG.log(System.Logger.Level.INFO, "agent {0} has no connection left", pool.agentId);
                }
            }
            // Requests that can no longer be served fail now rather than at their deadline.
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (!anyMatch(w.selector())) {
                    it.remove();
                    orphans.add(w);
                }
            }
        }
        for (Waiter waiter : orphans) {
            waiter.future().completeExceptionally(noAgent(waiter.selector()));
        }
    }

    @Override
    public CompletableFuture<AgentConnection> acquire(Duration timeout, AgentSelector selector) {
        Waiter waiter;
        synchronized (lock) {
            if (!anyMatch(selector)) {
                return CompletableFuture.failedFuture(noAgent(selector));
            }
            AgentConnection idle = takeIdle(selector);
            if (idle != null) {
                return CompletableFuture.completedFuture(idle);
            }
            if (timeout.isZero()) {
                return CompletableFuture.failedFuture(allBusy(timeout));
            }
            waiters.removeIf(w -> w.future().isDone());
            if (waiters.size() >= maxWaiting) {
                return CompletableFuture.failedFuture(new AcquireException(AcquireException.Reason.QUEUE_FULL,
                        maxWaiting + " requests are already waiting for an agent connection"));
            }
            waiter = new Waiter(new CompletableFuture<>(), selector);
            waiters.addLast(waiter);
        }
        ScheduledFuture<?> expiry = timer.schedule(() -> expire(waiter, timeout), timeout.toMillis(), TimeUnit.MILLISECONDS);
        waiter.future().whenComplete((c, e) -> expiry.cancel(false));
        return waiter.future();
    }

    @Override
    public void release(AgentConnection connection) {
        while (true) {
            Waiter waiter = null;
            synchronized (lock) {
                // A closing connection stays busy until its end removes it: handed out now, it
                // would fail the next request (an exchange whose caller left closes its
                // connection, and the agent's late last frame then hands it back).
                if (connection.state() == ConnectionState.CLOSED || !connection.isOpen()) {
                    return;
                }
                for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (w.future().isDone()) {
                        it.remove();
                    } else if (w.accepts(connection)) {
                        it.remove();
                        waiter = w;
                        break;
                    }
                }
                if (waiter == null) {
                    AgentPool pool = pools.get(connection.agentId());
                    connection.state(ConnectionState.IDLE);
                    pool.idle.addFirst(connection);
                    return;
                }
            }
            // A waiter that gave up in the meantime refuses the connection: offer it to the next.
            if (waiter.future().complete(connection)) {
                return;
            }
        }
    }

    @Override
    public void closeAll(int code, String reason) {
        List<AgentConnection> all = new ArrayList<>();
        synchronized (lock) {
            pools.values().forEach(pool -> all.addAll(pool.connections));
        }
        for (AgentConnection c : all) {
            c.close(code, reason);
        }
    }

    @Override
    public List<PoolStatus> status() {
        synchronized (lock) {
            return pools.values().stream().map(AgentPool::status).toList();
        }
    }

    /** Whether an agent {@code selector} matches is connected here, and whether one has an idle connection now. */
    public Availability availability(AgentSelector selector) {
        synchronized (lock) {
            Availability found = Availability.NONE;
            for (AgentPool pool : pools.values()) {
                if (selector.matches(pool.agentId, pool.labels)) {
                    if (!pool.idle.isEmpty()) {
                        return Availability.IDLE;
                    }
                    found = Availability.BUSY;
                }
            }
            return found;
        }
    }

    /** Whether any connected agent could serve {@code selector}. Caller holds lock. */
    private boolean anyMatch(AgentSelector selector) {
        return pools.values().stream().anyMatch(p -> selector.matches(p.agentId, p.labels));
    }

    @Override
    public int waiting() {
        synchronized (lock) {
            waiters.removeIf(w -> w.future().isDone());
            return waiters.size();
        }
    }

    /**
     * Spreads load: among the agents the selector matches that have an idle connection, the one
     * with the fewest requests in flight, ties broken at random. Caller holds lock.
     */
    private AgentConnection takeIdle(AgentSelector selector) {
        AgentPool chosen = null;
        int ties = 0;
        for (AgentPool pool : pools.values()) {
            if (pool.idle.isEmpty() || !selector.matches(pool.agentId, pool.labels)) {
                continue;
            }
            int busy = pool.busy();
            int best = chosen == null ? Integer.MAX_VALUE : chosen.busy();
            if (busy < best) {
                chosen = pool;
                ties = 1;
            } else if (busy == best && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                // Reservoir sampling: each tied pool ends up chosen with equal chance.
                chosen = pool;
            }
        }
        if (chosen == null) {
            return null;
        }
        AgentConnection connection = chosen.idle.pollFirst();
        connection.state(ConnectionState.BUSY);
        chosen.noteBusy();
        return connection;
    }

    private void expire(Waiter waiter, Duration timeout) {
        synchronized (lock) {
            if (!waiters.remove(waiter)) {
                return;
            }
        }
        waiter.future().completeExceptionally(allBusy(timeout));
    }

    private void sweep() {
        closeSurplusIdle();
        checkLiveness();
    }

    /**
     * Pings idle connections that have been silent for a ping interval and drops those silent for
     * two: an agent that froze or lost its network must not keep being handed requests. Busy
     * connections are left to the response timeout.
     */
    void checkLiveness() {
        if (pingInterval.isZero()) {
            return;
        }
        List<AgentConnection> idle = new ArrayList<>();
        synchronized (lock) {
            pools.values().forEach(pool -> idle.addAll(pool.idle));
        }
        long now = System.nanoTime();
        long interval = pingInterval.toNanos();
        for (AgentConnection c : idle) {
            long silent = now - c.lastHeardNanos();
            boolean dead = silent > 2 * interval
                    || (silent > interval && now - c.lastPingNanos() > interval && !c.ping());
            if (dead) {
                LOG.log(System.Logger.Level.WARNING, "{0} answered no ping for {1} ms: dropped", c,
                        String.valueOf(silent / 1_000_000));
                remove(c);
                c.close(WspProtocol.CLOSE_NOT_RESPONDING, "no pong");
            }
        }
    }

    /**
     * Closes idle connections beyond what each agent keeps (its announced idle size on top of the
     * most it had busy at once in the last one to two idle timeouts) once they have been idle
     * longer than the idle timeout, so a burst does not leave a crowd of sockets behind.
     */
    void closeSurplusIdle() {
        List<AgentConnection> surplus = new ArrayList<>();
        Instant cutoff = Instant.now().minus(idleTimeout);
        long now = System.nanoTime();
        synchronized (lock) {
            for (AgentPool pool : pools.values()) {
                int excess = pool.surplus(now, idleTimeout.toNanos());
                Iterator<AgentConnection> oldestFirst = pool.idle.descendingIterator();
                while (excess > 0 && oldestFirst.hasNext()) {
                    AgentConnection c = oldestFirst.next();
                    if (c.idleSince().isAfter(cutoff)) {
                        break;
                    }
                    oldestFirst.remove();
                    pool.connections.remove(c);
                    c.state(ConnectionState.CLOSED);
                    surplus.add(c);
                    excess--;
                }
            }
            pools.values().removeIf(p -> p.connections.isEmpty());
        }
        for (AgentConnection c : surplus) {
            LOG.log(System.Logger.Level.DEBUG, "closing surplus idle {0}", c);
            c.close(CloseCodes.NORMAL_CLOSURE.getCode(), "idle connection beyond pool size");
        }
    }

    private static AcquireException noAgent(AgentSelector selector) {
        return new AcquireException(AcquireException.Reason.NO_AGENT, selector.describe());
    }

    private static AcquireException allBusy(Duration timeout) {
        return new AcquireException(AcquireException.Reason.ALL_BUSY,
                "every agent connection stayed busy for " + timeout.toMillis() + " ms");
    }
}
