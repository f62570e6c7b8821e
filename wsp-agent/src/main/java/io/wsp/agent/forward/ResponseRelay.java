package io.wsp.agent.forward;

import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.io.Content;

/**
 * Relays one response body from Jetty's content source to a {@link ResponseSink}.
 *
 * <p>A small body of announced length is gathered and goes out with its head in one call that
 * never blocks, on the thread Jetty delivers it on. Any other body goes out in frames, and the
 * next chunk is demanded only once the WebSocket send of the previous one returned, so memory stays
 * constant and a slow caller slows the internal API down rather than filling the agent: its head
 * goes out at once, and a frame takes what has arrived so far and no more, so a bulk body fills
 * frames and a stream (SSE) goes out piece by piece as it comes. The frame that completes an
 * announced length ends the message.
 *
 * <p>Threads: gathering runs on Jetty's threads; frame sends block, so they run on the forwarder's
 * relay executor, never on Jetty's threads. One step at a time: a step ends by demanding, and
 * Jetty's demand callback runs or submits the next. All fields are touched by the current step only.
 */
final class ResponseRelay {

    /** How the relay ended, for the exchange's log line; reported once. */
    interface Outcome {
        /** The body broke (or a send failed) after the head arrived; the sink was already aborted. */
        void failed(String reason);

        /** Whether the exchange was cancelled: then nothing more goes to the sink. */
        boolean cancelled();
    }

    private final ResponseHead head;
    private final Content.Source source;
    private final ResponseSink sink;
    private final Executor relayExecutor;
    private final Outcome outcome;
    private final long length;
    /** Of announced length, at most a frame: gathered and sent with the head in one call. */
    private final boolean small;
    private final ByteBuffer frame;
    private boolean headSent;
    private long relayed;

    ResponseRelay(ResponseHead head, Content.Source source, ResponseSink sink, Executor relayExecutor, Outcome outcome) {
        this.head = head;
        this.source = source;
        this.sink = sink;
        this.relayExecutor = relayExecutor;
        this.outcome = outcome;
        this.length = head.contentLength;
        this.small = length >= 0 && length <= WspProtocol.BODY_FRAME_SIZE;
        // Sized to the body when it is small: a 64 KiB buffer per small response made the agent's
        // collector run dozens of times a second under load.
        this.frame = ByteBuffer.allocate(small ? (int) Math.max(length, 1) : WspProtocol.BODY_FRAME_SIZE);
    }

    /** Starts relaying: on the calling Jetty thread for a small body, else on a relay worker. */
    void start() {
        if (small) {
            step();
        } else {
            schedule();
        }
    }

    private void schedule() {
        try {
            relayExecutor.execute(this::step);
        } catch (RejectedExecutionException shuttingDown) {
            source.fail(new IOException("agent shutting down"));
            abort("agent shutting down");
        }
    }

    /**
     * Moves what is available, then demands more or ends the message: a small body is only
     * gathered (never blocking, on Jetty's thread) until it is all in; any other goes out in frames
     * (blocking, on a relay worker).
     */
    private void step() {
        try {
            if (!small && !headSent) {
                // The caller learns of a large or endless body at once, before any of it arrived.
                headSent = true;
                sink.sendHead(head);
            }
            while (true) {
                if (outcome.cancelled()) {
                    source.fail(new IOException("exchange cancelled"));
                    return;
                }
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    if (small) {
                        source.demand(this::step);
                    } else {
                        sendAvailable();
                        source.demand(this::schedule);
                    }
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    fail("response body failed: " + Exchange.reason(chunk.getFailure()));
                    return;
                }
                boolean last = chunk.isLast();
                try {
                    take(chunk.getByteBuffer());
                } finally {
                    chunk.release();
                }
                if (last) {
                    end();
                    return;
                }
            }
        } catch (IOException e) {
            source.fail(e);
            fail("sending the response failed");
        }
    }

    /**
     * Copies {@code data} into frames, sending each that fills up, except the one that may end the
     * body. A small body's frame holds all of it: Jetty ends a body at its Content-Length (a
     * HEAD's or a 304's is shorter).
     */
    private void take(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (!frame.hasRemaining()) {
                sendFrame(false);
            }
            int n = Math.min(frame.remaining(), data.remaining());
            frame.put(data.slice(data.position(), n));
            data.position(data.position() + n);
            relayed += n;
        }
    }

    /** Nothing more has arrived for now: what is in the frame goes out, unless it completes the announced length. */
    private void sendAvailable() throws IOException {
        if (frame.position() == 0 || relayed == length) {
            return;
        }
        sendFrame(false);
    }

    private void end() throws IOException {
        if (small) {
            sink.sendHeadAndBody(head, frame.flip());
        } else {
            // Shorter than announced only for HEAD and 304, whose Content-Length describes another body.
            sendFrame(true);
        }
    }

    private void sendFrame(boolean last) throws IOException {
        frame.flip();
        sink.sendBody(frame, last);
        frame.clear();
    }

    private void fail(String reason) {
        if (!outcome.cancelled()) {
            abort(reason);
        }
    }

    private void abort(String reason) {
        sink.abort(reason);
        outcome.failed(reason);
    }
}
