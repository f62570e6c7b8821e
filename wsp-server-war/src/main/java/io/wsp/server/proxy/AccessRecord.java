package io.wsp.server.proxy;

import io.wsp.server.metrics.RequestOutcome;
import io.wsp.server.metrics.TrafficStats;

/**
 * One {@code /request} as the counters and the {@link AccessLog} see it: opened when the request
 * arrives, ended exactly once, whichever thread ends it.
 *
 * <p>Threads: the caller's name and the destination are set on the servlet thread before the
 * request is handed on; {@link #carriedBy} and {@link #end} hold this object's lock, so a request
 * that ends while it is being handed to an agent is never left in flight there.
 */
final class AccessRecord {

    private final TrafficStats stats;
    private final AccessLog log;
    private final String requestId;
    private final String method;
    private final long startNanos = System.nanoTime();
    private volatile String caller = "-";
    private volatile String destination;
    /** Guarded by this. */
    private String agentId;
    /** Guarded by this. */
    private boolean ended;

    AccessRecord(TrafficStats stats, AccessLog log, String requestId, String method) {
        this.stats = stats;
        this.log = log;
        this.requestId = requestId;
        this.method = method;
    }

    String requestId() {
        return requestId;
    }

    void caller(String name) {
        caller = name;
    }

    /** The destination as given; only its loggable form is kept. */
    void destination(String url) {
        destination = loggable(url);
    }

    /** The destination without its query, which may carry tokens: logs never hold secrets. */
    String destination() {
        return destination;
    }

    /** The request was handed to a connection of {@code agent}: it is in flight there until it ends. */
    synchronized void carriedBy(String agent) {
        if (!ended) {
            agentId = agent;
            stats.started(agent);
        }
    }

    /** Counts and logs the request; only the first call counts. */
    void end(int status, long bytesIn, long bytesOut, String error) {
        String agent;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            agent = agentId;
        }
        RequestOutcome outcome = new RequestOutcome(requestId, caller, agent, method, destination, status, bytesIn,
                bytesOut, System.nanoTime() - startNanos, error);
        stats.finished(outcome);
        log.write(outcome);
    }

    static String loggable(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?...";
    }
}
