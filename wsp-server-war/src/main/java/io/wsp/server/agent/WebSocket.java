package io.wsp.server.agent;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The sending side of an agent's WebSocket connection, as its {@link AgentConnection} uses it: a
 * seam so the registry's tests can stand in for a real connection. Thread safe.
 */
public interface WebSocket {

    void sendText(String message) throws IOException;

    /** A fragment of a binary message, {@code data} consumed; {@code last} ends the message. */
    void sendBinary(ByteBuffer data, boolean last) throws IOException;

    /** Pings unless a send is under way; false when the connection is broken. */
    boolean ping();

    /** Starts the closing handshake; the connection ends shortly after, answered or not. */
    void close(int code, String reason);

    /** False once a close was started (by either side) or the connection ended. */
    boolean isOpen();
}
