package io.wsp.server.agent;

import java.nio.ByteBuffer;

/**
 * Gets what the agent sends back for the request a connection is carrying. Called on the
 * connection's WebSocket thread, one call at a time, in the order the messages arrived.
 */
public interface ResponseReceiver {

    /** The response head JSON text message. */
    void onResponseHead(String json);

    /** A piece of the response body message, as it arrived; {@code last} ends the message. */
    void onResponseBody(ByteBuffer frame, boolean last);

    /** The connection ended (closed by either side, or failed) while carrying the request. */
    void onConnectionLost(String reason);
}
