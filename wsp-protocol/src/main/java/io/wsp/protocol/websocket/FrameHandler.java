package io.wsp.protocol.websocket;

import java.nio.ByteBuffer;

/** What a {@link FrameReader} found, delivered on the reading thread in the order it arrived. */
public interface FrameHandler {

    /** A whole text message, its UTF-8 checked. */
    void onText(String message);

    /**
     * A piece of a binary message, as it arrives: a large message is never held whole. The buffer
     * is valid only during the call. {@code last} marks the end of the message (the piece may then
     * be empty).
     */
    void onBinary(ByteBuffer chunk, boolean last);

    void onPing(ByteBuffer payload);

    void onPong(ByteBuffer payload);

    /**
     * The peer's close frame; {@link CloseCodes#NO_STATUS} and an empty reason when it had no code.
     * The reader ignores anything after it.
     */
    void onClose(int code, String reason);
}
