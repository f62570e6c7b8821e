package io.wsp.protocol.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses one direction of a WebSocket connection, however its bytes are split between reads.
 * Binary payloads go to the handler as they arrive, unmasked in place in the caller's buffer;
 * text and control payloads are collected first, text up to a limit. No extensions are
 * negotiated, so any reserved bit is an error. Not thread safe: one reader per connection.
 */
public final class FrameReader {

    private static final int MAX_HEADER = 14;
    private static final int MAX_CONTROL_PAYLOAD = 125;

    private final boolean expectMasked;
    private final int maxTextBytes;
    private final FrameHandler handler;

    private final byte[] header = new byte[MAX_HEADER];
    private int headerFilled;

    /** The frame whose payload is being read; -1 while reading a header. */
    private int opcode = -1;
    private boolean fin;
    private boolean masked;
    private int maskKey;
    private long payloadLength;
    private long payloadRead;

    /** The data opcode of the fragmented message in progress, or -1. */
    private int messageOpcode = -1;
    private byte[] text = new byte[256];
    private int textLength;
    private final ByteBuffer control = ByteBuffer.allocate(MAX_CONTROL_PAYLOAD);
    private boolean closed;

    /**
     * @param expectMasked true on a server (every client frame must be masked), false on a client
     *                     (no server frame may be)
     * @param maxTextBytes the largest text message accepted; a larger one is refused with 1009
     */
    public FrameReader(boolean expectMasked, int maxTextBytes, FrameHandler handler) {
        this.expectMasked = expectMasked;
        this.maxTextBytes = maxTextBytes;
        this.handler = handler;
    }

    /**
     * Consumes {@code data} from its position to its limit, calling the handler for what is
     * complete. Everything after a close frame is ignored.
     */
    public void feed(ByteBuffer data) throws WebSocketProtocolException {
        while (data.hasRemaining() && !closed) {
            if (opcode < 0) {
                readHeader(data);
            } else {
                readPayload(data);
            }
        }
        data.position(data.limit());
    }

    private void readHeader(ByteBuffer data) throws WebSocketProtocolException {
        int needed = headerFilled < 2 ? 2 : headerSize();
        int take = Math.min(needed - headerFilled, data.remaining());
        data.get(header, headerFilled, take);
        headerFilled += take;
        // After the first two bytes the loop comes back for the extended length and the key, if any.
        if (headerFilled == needed && headerFilled == headerSize()) {
            startFrame();
        }
    }

    /** The header's full size, known from its first two bytes. */
    private int headerSize() {
        int length = header[1] & 0x7F;
        int extended = length == 126 ? 2 : length == 127 ? 8 : 0;
        return 2 + extended + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    private void startFrame() throws WebSocketProtocolException {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        headerFilled = 0;
        if ((b0 & 0x70) != 0) {
            throw protocolError("reserved bits set");
        }
        int op = b0 & 0x0F;
        boolean isFin = (b0 & 0x80) != 0;
        boolean isMasked = (b1 & 0x80) != 0;
        if (isMasked != expectMasked) {
            throw protocolError(expectMasked ? "unmasked client frame" : "masked server frame");
        }
        int length = b1 & 0x7F;
        int at = 2;
        long size;
        if (length == 126) {
            size = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            at = 4;
        } else if (length == 127) {
            size = 0;
            for (int i = 2; i < 10; i++) {
                size = (size << 8) | (header[i] & 0xFF);
            }
            if (size < 0) {
                throw protocolError("frame length over 2^63");
            }
            at = 10;
        } else {
            size = length;
        }
        checkSequence(op, isFin, size);
        opcode = op;
        fin = isFin;
        masked = isMasked;
        maskKey = isMasked ? ((header[at] & 0xFF) << 24) | ((header[at + 1] & 0xFF) << 16)
                | ((header[at + 2] & 0xFF) << 8) | (header[at + 3] & 0xFF) : 0;
        payloadLength = size;
        payloadRead = 0;
        if (op == Opcode.TEXT || (op == Opcode.CONTINUATION && messageOpcode == Opcode.TEXT)) {
            if (textLength + size > maxTextBytes) {
                throw new WebSocketProtocolException(CloseCodes.TOO_BIG,
                        "text message over " + maxTextBytes + " bytes");
            }
        }
        if (op == Opcode.TEXT || op == Opcode.BINARY) {
            messageOpcode = op;
        }
        if (size == 0) {
            endFrame();
        }
    }

    private void checkSequence(int op, boolean isFin, long size) throws WebSocketProtocolException {
        switch (op) {
            case Opcode.CONTINUATION -> {
                if (messageOpcode < 0) {
                    throw protocolError("continuation frame without a message");
                }
            }
            case Opcode.TEXT, Opcode.BINARY -> {
                if (messageOpcode >= 0) {
                    throw protocolError("new message inside a fragmented one");
                }
            }
            case Opcode.CLOSE, Opcode.PING, Opcode.PONG -> {
                if (!isFin || size > MAX_CONTROL_PAYLOAD) {
                    throw protocolError("fragmented or oversized control frame");
                }
            }
            default -> throw protocolError("unknown opcode " + op);
        }
    }

    private void readPayload(ByteBuffer data) throws WebSocketProtocolException {
        int start = data.position();
        int n = (int) Math.min(data.remaining(), payloadLength - payloadRead);
        if (masked) {
            Masker.mask(data, start, start + n, maskKey, payloadRead);
        }
        payloadRead += n;
        boolean frameDone = payloadRead == payloadLength;
        if (Opcode.control(opcode)) {
            control.put(data.slice(start, n));
        } else if (messageOpcode == Opcode.TEXT) {
            appendText(data, start, n);
        } else if (n > 0) {
            handler.onBinary(data.slice(start, n), frameDone && fin);
            if (frameDone && fin) {
                messageOpcode = -1;
            }
        }
        data.position(start + n);
        if (frameDone) {
            endFrame();
        }
    }

    private void appendText(ByteBuffer data, int start, int n) {
        if (textLength + n > text.length) {
            text = Arrays.copyOf(text, Math.max(textLength + n, Math.min(maxTextBytes, text.length * 2)));
        }
        data.get(start, text, textLength, n);
        textLength += n;
    }

    /** The current frame's payload is complete. */
    private void endFrame() throws WebSocketProtocolException {
        int op = opcode;
        opcode = -1;
        switch (op) {
            case Opcode.PING -> handler.onPing(takeControl());
            case Opcode.PONG -> handler.onPong(takeControl());
            case Opcode.CLOSE -> close(takeControl());
            default -> {
                if (!fin) {
                    return;
                }
                if (messageOpcode == Opcode.TEXT) {
                    String message = decode(text, textLength);
                    textLength = 0;
                    messageOpcode = -1;
                    handler.onText(message);
                } else if (messageOpcode == Opcode.BINARY) {
                    // Reached only by an empty final frame: a non-empty one ended in readPayload.
                    messageOpcode = -1;
                    handler.onBinary(ByteBuffer.allocate(0), true);
                }
            }
        }
    }

    private ByteBuffer takeControl() {
        ByteBuffer payload = ByteBuffer.allocate(control.position());
        payload.put(control.flip()).flip();
        control.clear();
        return payload;
    }

    private void close(ByteBuffer payload) throws WebSocketProtocolException {
        closed = true;
        if (payload.remaining() == 0) {
            handler.onClose(CloseCodes.NO_STATUS, "");
            return;
        }
        if (payload.remaining() == 1) {
            throw protocolError("close frame with a one-byte payload");
        }
        int code = payload.getShort() & 0xFFFF;
        if (!CloseCodes.sendable(code)) {
            throw protocolError("invalid close code " + code);
        }
        byte[] reason = new byte[payload.remaining()];
        payload.get(reason);
        handler.onClose(code, decode(reason, reason.length));
    }

    private static String decode(byte[] bytes, int length) throws WebSocketProtocolException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new WebSocketProtocolException(CloseCodes.INVALID_PAYLOAD, "text that is not UTF-8");
        }
    }

    private static WebSocketProtocolException protocolError(String message) {
        return new WebSocketProtocolException(CloseCodes.PROTOCOL_ERROR, message);
    }
}
