package io.wsp.server.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The sending side of a WebSocket connection, as its owner uses it. Thread safe. */
public interface WebSocket {

    void sendText(String message) throws IOException;

    /** A fragment of a binary message, {@code data} consumed; {@code last} ends the message. */
    void sendBinary(ByteBuffer data, boolean last) throws IOException;

    /** A text message and a whole binary message, in one write. */
    void sendTextThenBinary(String message, ByteBuffer data) throws IOException;

    /** Pings unless a send is under way; false when the connection is broken. */
    boolean ping();

    /** Starts the closing handshake; the connection ends shortly after, answered or not. */
    void close(int code, String reason);

    /** False once a close frame went out (ours, or our answer to the peer's) or the connection ended. */
    boolean isOpen();
}
