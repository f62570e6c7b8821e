package io.wsp.agent.forward.http1;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Idle connections by destination (scheme, host, port), most recently used first. Thread safe:
 * every field is guarded by {@code this}; connections are closed outside the lock.
 */
final class ConnectionPool {

    /**
     * Idle connections kept per destination; a burst beyond that closes its extra connections.
     * As many as an agent serves requests at once (its pools' size): with fewer, every request
     * beyond them paid a TCP connect and close (at 64 concurrent requests and 32 kept, that
     * doubled the agent's CPU per request).
     */
    static final int MAX_IDLE_PER_ROUTE = 256;


    /** Idle longer than this and a connection is closed: servers drop idle ones too, often silently. */
    static final long MAX_IDLE_NANOS = 30_000_000_000L;

    private final Map<String, ArrayDeque<Connection>> idle = new HashMap<>();
    private boolean closed;

    /**
     * A live idle connection to {@code route}, or null. With {@code probe} the socket is checked
     * for a peer close (three system calls); without, only for bytes already buffered.
     */
    Connection take(Route route, boolean probe) {
        List<Connection> discarded = new ArrayList<>();
        Connection found = null;
        long now = System.nanoTime();
        synchronized (this) {
            ArrayDeque<Connection> connections = idle.get(route.key());
            while (connections != null && !connections.isEmpty()) {
                Connection c = connections.pollFirst();
                if (now - c.idleSinceNanos > MAX_IDLE_NANOS) {
                    discarded.add(c);
                } else {
                    found = c;
                    break;
                }
            }
            if (connections != null && connections.isEmpty()) {
                idle.remove(route.key());
            }
        }
        discarded.forEach(Connection::close);
        if (found != null && (probe ? found.isStale() : found.in.hasBuffered())) {
            found.close();
            return take(route, probe);
        }
        return found;
    }

    /** Keeps {@code c} for the next request to its destination, or closes it when the pool is full. */
    void release(Connection c) {
        boolean kept = false;
        synchronized (this) {
            if (!closed && c.isOpen()) {
                ArrayDeque<Connection> connections = idle.computeIfAbsent(c.route.key(), k -> new ArrayDeque<>());
                if (connections.size() < MAX_IDLE_PER_ROUTE) {
                    c.reused = true;
                    c.idleSinceNanos = System.nanoTime();
                    connections.addFirst(c);
                    kept = true;
                }
            }
        }
        if (!kept) {
            c.close();
        }
    }

    /** Closes connections idle longer than {@link #MAX_IDLE_NANOS}. */
    void closeExpired() {
        List<Connection> expired = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            for (Iterator<ArrayDeque<Connection>> routes = idle.values().iterator(); routes.hasNext(); ) {
                ArrayDeque<Connection> connections = routes.next();
                // Oldest last: stop at the first that is still fresh.
                while (!connections.isEmpty() && now - connections.peekLast().idleSinceNanos > MAX_IDLE_NANOS) {
                    expired.add(connections.pollLast());
                }
                if (connections.isEmpty()) {
                    routes.remove();
                }
            }
        }
        expired.forEach(Connection::close);
    }

    /** Idle connections held now; for tests. */
    synchronized int idleCount() {
        return idle.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    /** Closes every idle connection; later releases close theirs. */
    void close() {
        List<Connection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(Connection::close);
    }
}
