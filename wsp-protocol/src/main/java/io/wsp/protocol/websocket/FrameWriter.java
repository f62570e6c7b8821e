package io.wsp.protocol.websocket;

import io.wsp.protocol.CloseReasons;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Writes WebSocket frames to a stream, each followed by a flush (but see {@link #textThenBinary}):
 * a frame carries a request or a response piece someone is waiting for. Frames are assembled in
 * one buffer, so header and payload (and a head with its body) go out in one write where they
 * fit; the stream needs no buffer of its own. A client masks every frame with a fresh key
 * (RFC 6455, 5.3), a word at a time.
 * Not thread safe: the owner of the connection serialises its sends.
 */
public final class FrameWriter {

    private static final int MAX_HEADER = 14;
    /** A 64 KiB body piece and its header go out in one write. */
    private static final int BUFFER_SIZE = 64 * 1024 + MAX_HEADER;

    private final OutputStream out;
    private final boolean mask;
    private final MaskKeys keys;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    /** A binary message was begun and not ended: the next fragment is a continuation. */
    private boolean inMessage;

    /** @param mask true on a client, whose frames must be masked; false on a server */
    public FrameWriter(OutputStream out, boolean mask) {
        this.out = out;
        this.mask = mask;
        this.keys = mask ? new MaskKeys() : null;
    }

    public void text(String message) throws IOException {
        frame(Opcode.TEXT, true, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
        drain();
    }

    /**
     * A text message and then a whole binary message, flushed once: a head and a body that are
     * both at hand (a request without a body, a small response) cost the peer one read.
     */
    public void textThenBinary(String message, ByteBuffer data) throws IOException {
        if (inMessage) {
            throw new IllegalStateException("a binary message is in progress");
        }
        frame(Opcode.TEXT, true, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
        frame(Opcode.BINARY, true, data);
        drain();
    }

    /** One fragment of a binary message, {@code data} consumed; {@code last} ends the message. */
    public void binary(ByteBuffer data, boolean last) throws IOException {
        int opcode = inMessage ? Opcode.CONTINUATION : Opcode.BINARY;
        inMessage = !last;
        frame(opcode, last, data);
        drain();
    }

    public void ping(ByteBuffer payload) throws IOException {
        frame(Opcode.PING, true, control(payload));
        drain();
    }

    public void pong(ByteBuffer payload) throws IOException {
        frame(Opcode.PONG, true, control(payload));
        drain();
    }

    /** A close frame; {@code reason} is shortened to what fits. */
    public void close(int code, String reason) throws IOException {
        byte[] text = CloseReasons.fit(reason).getBytes(StandardCharsets.UTF_8);
        ByteBuffer payload = ByteBuffer.allocate(2 + text.length);
        payload.putShort((short) code).put(text).flip();
        frame(Opcode.CLOSE, true, payload);
        drain();
    }

    private static ByteBuffer control(ByteBuffer payload) {
        if (payload.remaining() > 125) {
            throw new IllegalArgumentException("control frame payload over 125 bytes");
        }
        return payload;
    }

    private void frame(int opcode, boolean fin, ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        if (buffer.remaining() < MAX_HEADER) {
            writeBuffer();
        }
        buffer.put((byte) ((fin ? 0x80 : 0) | opcode));
        int maskBit = mask ? 0x80 : 0;
        if (length <= 125) {
            buffer.put((byte) (maskBit | length));
        } else if (length <= 0xFFFF) {
            buffer.put((byte) (maskBit | 126)).putShort((short) length);
        } else {
            buffer.put((byte) (maskBit | 127)).putLong(length);
        }
        int key = 0;
        if (mask) {
            key = keys.next();
            buffer.putInt(key);
        }
        long offset = 0;
        while (payload.hasRemaining()) {
            int start = buffer.position();
            int n = Math.min(payload.remaining(), buffer.remaining());
            buffer.put(buffer.position(), payload, payload.position(), n);
            payload.position(payload.position() + n);
            buffer.position(start + n);
            if (mask) {
                Masker.mask(buffer, start, start + n, key, offset);
            }
            offset += n;
            if (!buffer.hasRemaining()) {
                writeBuffer();
            }
        }
    }

    /** Hands what the buffer holds to the stream. */
    private void writeBuffer() throws IOException {
        if (buffer.position() > 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    /** Everything written so far leaves now. */
    private void drain() throws IOException {
        writeBuffer();
        out.flush();
    }

    /** Masking keys from a strong generator, drawn in batches: one draw per frame would cost more than the frame. */
    private static final class MaskKeys {

        private final SecureRandom random = new SecureRandom();
        private final ByteBuffer batch = ByteBuffer.allocate(256).position(256);

        int next() {
            if (!batch.hasRemaining()) {
                random.nextBytes(batch.array());
                batch.clear();
            }
            return batch.getInt();
        }
    }
}
