package io.wsp.agent.forward;

import io.wsp.protocol.ResponseHead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where an {@link Exchange} delivers its response: the narrow callback a server connection
 * implements. One exchange calls it from one thread at a time (not always the same one), in
 * order: either {@link #sendHeadAndBody} once, or {@link #sendHead} once and then {@link #sendBody}
 * until a call with {@code last == true}; or {@link #abort} at any point.
 */
public interface ResponseSink {

    void sendHead(ResponseHead head) throws IOException;

    /** Sends one frame of the body message; {@code frame} may be reused once this returns. */
    void sendBody(ByteBuffer frame, boolean last) throws IOException;

    /**
     * The head and the whole body at once, where both are at hand (a small body, none, or an error
     * of the agent's). Never blocks, so Jetty's threads may call it: the messages are queued, and a
     * failure to send them aborts the connection. {@code body} is the sink's from then on. The
     * same as {@link #sendHead} followed by a last {@link #sendBody} for sinks that never block.
     *
     * @return completes once both messages are written, exceptionally when they cannot be (the
     *     connection was closed, or broke and was aborted)
     */
    default CompletionStage<Void> sendHeadAndBody(ResponseHead head, ByteBuffer body) {
        try {
            sendHead(head);
            sendBody(body, true);
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            abort("sending the response failed");
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The response cannot be completed (the internal response broke after its head went out, or a
     * send failed): the peer can only learn this by losing the connection.
     */
    void abort(String reason);
}
