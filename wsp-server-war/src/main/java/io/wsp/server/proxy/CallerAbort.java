package io.wsp.server.proxy;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Lets an exchange end a committed response so the caller sees a broken transfer, never a clean
 * but short one. The Servlet API has no abort; what works portably enough is a trailer supplier
 * that throws when the response finishes: the container then cannot write the final chunk and
 * leaves the connection to its idle timeout, which closes it (on Payara the http listener's
 * {@code timeout-seconds}, set low in payara-config). A response of known length is cut short the
 * same way. Normal responses are untouched: the supplier then gives no trailers.
 */
final class CallerAbort implements Supplier<Map<String, String>> {

    private static final System.Logger LOG = System.getLogger(CallerAbort.class.getName());

    private volatile boolean aborted;

    /** Must run before the response is committed. */
    static CallerAbort arm(HttpServletResponse response) {
        CallerAbort abort = new CallerAbort();
        try {
            response.setTrailerFields(abort);
        } catch (IllegalStateException e) {
            // HTTP/1.0 callers have no trailers; they get a closed connection at the end anyway.
            LOG.log(System.Logger.Level.DEBUG, "trailers unsupported for this caller: {0}", e.getMessage());
        }
        return abort;
    }

    @Override
    public Map<String, String> get() {
        if (aborted) {
            throw new IllegalStateException("wsp aborted this response: the agent connection was lost");
        }
        return Map.of();
    }

    /**
     * Completes the response on {@code executor}, never on the calling thread: the container runs
     * the failing supplier on the thread that completes, and when that was one of its own I/O
     * threads (agent events arrive on them) other HTTP/2 connections of that thread stalled until
     * the aborted one closed (measured: 3 of 16 uploads right after an abort then failed).
     */
    void abort(AsyncContext async, Executor executor) {
        aborted = true;
        executor.execute(() -> {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                LOG.log(System.Logger.Level.DEBUG, "response already completed: {0}", e.getMessage());
            }
        });
    }
}
