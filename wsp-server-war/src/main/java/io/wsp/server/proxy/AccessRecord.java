package io.wsp.server.proxy;

import io.wsp.server.metrics.RequestOutcome;
import io.wsp.server.metrics.TrafficStats;

/**
 * One {@code /request} as the counters and the access log see it: opened when the request
 * arrives, ended exactly once, whichever thread ends it. The access log is one INFO line per
 * request on the logger {@value #LOGGER}, so it can be routed apart from the server's own log.
 *
 * <p>Threads: the caller's name and the destination are set on the servlet thread before the
 * request is handed on; {@link #carriedBy} and {@link #end} hold this object's lock, so a request
 * that ends while it is being handed to an agent is never left in flight there.
 */
final class AccessRecord {

    static final String LOGGER = "io.wsp.access";
    private static final System.Logger ACCESS = System.getLogger(LOGGER);

    private final TrafficStats stats;
    private final String requestId;
    private final String method;
    private final long startNanos = System.nanoTime();
    private volatile String caller = "-";
    private volatile String destination;
    /** Guarded by this. */
    private String agentId;
    /** Guarded by this. */
    private boolean ended;

    AccessRecord(TrafficStats stats, String requestId, String method) {
        this.stats = stats;
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
        ACCESS.log(System.Logger.Level.INFO, line(outcome));
    }

    /** {@code key=value} pairs, grep- and parser-friendly; absent values are {@code -}. */
    static String line(RequestOutcome o) {
        return "request=" + o.requestId() + " caller=" + o.caller() + " agent=" + dash(o.agentId()) + " method="
                + o.method() + " destination=" + dash(o.destination()) + " status=" + o.status() + " in=" + o.bytesIn()
                + " out=" + o.bytesOut() + " ms=" + o.nanos() / 1_000_000
                + (o.error() == null ? "" : " error=\"" + o.error().replace('"', '\'').replace('\n', ' ').replace('\r', ' ') + "\"");
    }

    static String loggable(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?...";
    }

    private static String dash(String value) {
        return value == null ? "-" : value;
    }
}
