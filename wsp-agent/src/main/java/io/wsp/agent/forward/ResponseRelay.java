package io.wsp.agent.forward;

import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.io.Content;

/**
 * Relays one response body from Jetty's content source to a {@link ResponseSink}, demanding the
 * next chunk only once the WebSocket send of the previous one returned, so memory stays constant
 * and a slow caller slows the internal API down rather than filling the agent.
 *
 * <p>A frame takes what has arrived so far and no more: a bulk body fills frames, a stream (SSE)
 * goes out piece by piece as it comes. The frame that completes an announced length ends the
 * message, and a small body of announced length goes out with its head in one send.
 *
 * <p>Threads: the sends block, so they run on the forwarder's relay executor, never on Jetty's
 * threads; one step at a time: a step ends by demanding, and Jetty's demand callback submits the
 * next. All fields are touched by the current step only.
 */
final class ResponseRelay {

    /** How the relay ended, for the exchange's log line; reported once. */
    interface Outcome {
        /** The body broke (or a send failed) after the head arrived; the sink was already aborted. */
        void failed(String reason);

        /** Whether the exchange was cancelled: then nothing more goes to the sink. */
        boolean cancelled();
    }

    private final Content.Source source;
    private final ResponseSink sink;
    private final Executor relayExecutor;
    private final Outcome outcome;
    private final long length;
    /** Sent with the whole body when it is small; null once sent. */
    private ResponseHead pendingHead;
    private final ByteBuffer frame;
    private long relayed;

    ResponseRelay(ResponseHead head, Content.Source source, ResponseSink sink, Executor relayExecutor, Outcome outcome) {
        this.source = source;
        this.sink = sink;
        this.relayExecutor = relayExecutor;
        this.outcome = outcome;
        this.length = head.contentLength;
        this.pendingHead = head;
        boolean small = isSmall();
        // Sized to the body when it is small: a 64 KiB buffer per small response made the agent's
        // collector run dozens of times a second under load.
        this.frame = ByteBuffer.allocate(small ? (int) Math.max(length, 1) : WspProtocol.BODY_FRAME_SIZE);
    }

    /** Starts relaying on a relay worker. */
    void start() {
        schedule();
    }

    private void schedule() {
        try {
            relayExecutor.execute(this::step);
        } catch (RejectedExecutionException shuttingDown) {
            source.fail(new IOException("agent shutting down"));
            abort("agent shutting down");
        }
    }

    /** Relay worker: moves what is available, then demands more or ends the message. */
    private void step() {
        try {
            if (pendingHead != null && !isSmall()) {
                // The caller learns of a large or endless body at once, before any of it arrived.
                ResponseHead head = pendingHead;
                pendingHead = null;
                sink.sendHead(head);
            }
            while (true) {
                if (outcome.cancelled()) {
                    source.fail(new IOException("exchange cancelled"));
                    return;
                }
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    sendAvailable();
                    source.demand(this::schedule);
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

    /** Copies {@code data} into frames, sending each that fills up, except the one that may end the body. */
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

    /**
     * Nothing more has arrived for now: what is in the frame goes out, unless it may be the last
     * (the announced length is reached, or the body is small and sent with its head at the end).
     */
    private void sendAvailable() throws IOException {
        if (frame.position() == 0 || relayed == length || (pendingHead != null && isSmall())) {
            return;
        }
        sendFrame(false);
    }

    private void end() throws IOException {
        if (pendingHead != null && isSmall() && relayed == length) {
            ResponseHead head = pendingHead;
            pendingHead = null;
            sink.sendHeadAndBody(head, frame.flip());
            return;
        }
        // Shorter than announced only for HEAD and 304, whose Content-Length describes another body.
        sendFrame(true);
    }

    private void sendFrame(boolean last) throws IOException {
        if (pendingHead != null) {
            ResponseHead head = pendingHead;
            pendingHead = null;
            sink.sendHead(head);
        }
        frame.flip();
        sink.sendBody(frame, last);
        frame.clear();
    }

    private boolean isSmall() {
        return length >= 0 && length <= WspProtocol.BODY_FRAME_SIZE;
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
