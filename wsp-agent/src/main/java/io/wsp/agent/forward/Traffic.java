package io.wsp.agent.forward;

import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the forwarder answered, for the agent's {@code /metrics}: requests in flight,
 * responses by status class, body bytes and responses cut short. Lock-free; thread safe.
 */
public final class Traffic {

    /** The status classes in the order {@code /metrics} lists them. */
    private static final String[] CLASSES = {"2xx", "3xx", "4xx", "5xx", "agent_error"};

    private final LongAdder started = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final LongAdder[] responses = new LongAdder[CLASSES.length];
    private final LongAdder responseBytes = new LongAdder();
    private final LongAdder aborted = new LongAdder();

    public Traffic() {
        for (int i = 0; i < responses.length; i++) {
            responses[i] = new LongAdder();
        }
    }

    public long inFlight() {
        return started.sum() - finished.sum();
    }

    /** Responses whose head went out, by class, in {@link #CLASSES} order. */
    public Map<String, Long> responses() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < CLASSES.length; i++) {
            counts.put(CLASSES[i], responses[i].sum());
        }
        return counts;
    }

    public long responseBytes() {
        return responseBytes.sum();
    }

    public long aborted() {
        return aborted.sum();
    }

    /** Wraps the sink of one new exchange so its response is counted. */
    ResponseSink track(ResponseSink sink) {
        started.increment();
        return new ResponseSink() {
            private boolean ended;

            @Override
            public void sendHead(ResponseHead head) throws IOException {
                sink.sendHead(head);
                responses[classOf(head.statusCode)].increment();
            }

            @Override
            public void sendBody(ByteBuffer frame, boolean last) throws IOException {
                int size = frame.remaining();
                sink.sendBody(frame, last);
                responseBytes.add(size);
                if (last) {
                    end();
                }
            }

            /** Counted once written: a response queued on a connection that then broke was cut short. */
            @Override
            public CompletionStage<Void> sendHeadAndBody(ResponseHead head, ByteBuffer body) {
                int size = body.remaining();
                return sink.sendHeadAndBody(head, body).whenComplete((written, failed) -> {
                    if (failed != null) {
                        if (end()) {
                            aborted.increment();
                        }
                        return;
                    }
                    responses[classOf(head.statusCode)].increment();
                    responseBytes.add(size);
                    end();
                });
            }

            @Override
            public void abort(String reason) {
                sink.abort(reason);
                if (end()) {
                    aborted.increment();
                }
            }

            /** An exchange ends once: a second abort, or one after the last frame, counts nothing. */
            private synchronized boolean end() {
                if (ended) {
                    return false;
                }
                ended = true;
                finished.increment();
                return true;
            }
        };
    }

    private static int classOf(int status) {
        if (status == WspProtocol.AGENT_ERROR_STATUS) {
            return CLASSES.length - 1;
        }
        return Math.max(0, Math.min(3, status / 100 - 2));
    }
}
