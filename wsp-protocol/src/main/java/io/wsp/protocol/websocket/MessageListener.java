package io.wsp.protocol.websocket;

import java.nio.ByteBuffer;

/** What the owner of a WebSocket connection hears of the peer, on the connection's reading thread. */
public interface MessageListener {

    void onText(String message);

    /** A piece of a binary message, valid only during the call; {@code last} ends the message. */
    void onBinary(ByteBuffer chunk, boolean last);

    void onPong();
}
