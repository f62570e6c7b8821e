package io.wsp.agent.forward;

import io.wsp.protocol.ResponseHead;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where an {@link Exchange} delivers its response: the narrow callback a server connection
 * implements. One exchange calls it from one worker thread at a time (not always the same one), in
 * order: {@link #sendHead} once, then {@link #sendBody} until a call with {@code last == true}; or
 * {@link #abort} at any point.
 */
public interface ResponseSink {

    void sendHead(ResponseHead head) throws IOException;

    /** Sends one frame of the body message; {@code frame} may be reused once this returns. */
    void sendBody(ByteBuffer frame, boolean last) throws IOException;

    /**
     * The head and the whole body at once, where both are at hand: one write instead of two for
     * the sender, one read instead of two for the server. The same as {@link #sendHead} followed
     * by a last {@link #sendBody}.
     */
    default void sendHeadAndBody(ResponseHead head, ByteBuffer body) throws IOException {
        sendHead(head);
        sendBody(body, true);
    }

    /**
     * The response cannot be completed (the internal response broke after its head went out, or a
     * send failed): the peer can only learn this by losing the connection.
     */
    void abort(String reason);
}
