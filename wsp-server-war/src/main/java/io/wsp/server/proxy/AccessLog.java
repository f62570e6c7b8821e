package io.wsp.server.proxy;

import io.wsp.server.metrics.RequestOutcome;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The access log: one INFO line per {@code /request} on the logger {@value #LOGGER}, so it can be
 * routed apart from the server's own log, written by a thread of its own.
 *
 * <p>Why a thread: a container's log handler formats and writes each record under one lock. With
 * every request thread logging there, 64 concurrent requests queued on that lock and it doubled
 * p99 latency; formatting was a sixth of the server's CPU on the request path. Request threads
 * now only queue the outcome. The queue is bounded; when the log's sink falls that far behind, a
 * request waits for room rather than a line being lost.
 */
@ApplicationScoped
public class AccessLog {

    static final String LOGGER = "io.wsp.access";
    private static final System.Logger ACCESS = System.getLogger(LOGGER);
    private static final int CAPACITY = 16_384;
    private static final long GATHER_MILLIS = 20;

    private final BlockingQueue<RequestOutcome> queue = new LinkedBlockingQueue<>(CAPACITY);
    private Thread writer;
    private volatile boolean stopped;

    @PostConstruct
    void start() {
        writer = new Thread(this::drain, "wsp-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues the request's line; after {@link #stop}, writes it at once. */
    public void write(RequestOutcome outcome) {
        if (!ACCESS.isLoggable(System.Logger.Level.INFO)) {
            return;
        }
        if (stopped) {
            ACCESS.log(System.Logger.Level.INFO, line(outcome));
            return;
        }
        try {
            queue.put(outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ACCESS.log(System.Logger.Level.INFO, line(outcome));
        }
        if (stopped) {
            // Stopped while queueing: the writer may be gone, so nobody else would take it.
            flush();
        }
    }

    /** Writes what is queued and stops the writer; later lines are written by the request's thread. */
    @PreDestroy
    void stop() {
        stopped = true;
        writer.interrupt();
        try {
            writer.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    private void drain() {
        List<RequestOutcome> batch = new ArrayList<>();
        boolean interrupted = false;
        while (!stopped && !interrupted) {
            try {
                batch.add(queue.take());
                // Lines gather while this thread sleeps. Taking each as it came cost a wake-up per
                // request, a fifth of the server's futex calls at 8k requests/s; a line now waits
                // up to this long.
                Thread.sleep(GATHER_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            queue.drainTo(batch);
            for (RequestOutcome outcome : batch) {
                ACCESS.log(System.Logger.Level.INFO, line(outcome));
            }
            batch.clear();
        }
    }

    private void flush() {
        RequestOutcome outcome;
        while ((outcome = queue.poll()) != null) {
            ACCESS.log(System.Logger.Level.INFO, line(outcome));
        }
    }

    /** {@code key=value} pairs, grep- and parser-friendly; absent values are {@code -}. */
    static String line(RequestOutcome o) {
        return "request=" + o.requestId() + " caller=" + o.caller() + " agent=" + dash(o.agentId()) + " method="
                + o.method() + " destination=" + dash(o.destination()) + " status=" + o.status() + " in=" + o.bytesIn()
                + " out=" + o.bytesOut() + " ms=" + o.nanos() / 1_000_000
                + (o.error() == null ? "" : " error=\"" + o.error().replace('"', '\'').replace('\n', ' ').replace('\r', ' ') + "\"");
    }

    private static String dash(String value) {
        return value == null ? "-" : value;
    }
}
