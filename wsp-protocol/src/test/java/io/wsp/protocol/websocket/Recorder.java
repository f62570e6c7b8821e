package io.wsp.protocol.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes down what a reader delivers, one line per event, binary pieces merged into messages. */
final class Recorder implements FrameHandler {

    final List<String> events = new ArrayList<>();
    final List<byte[]> binaries = new ArrayList<>();
    private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

    @Override
    public void onText(String message) {
        events.add("text " + message);
    }

    @Override
    public void onBinary(ByteBuffer chunk, boolean last) {
        byte[] bytes = new byte[chunk.remaining()];
        chunk.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            binaries.add(binary.toByteArray());
            events.add("binary " + binary.size());
            binary.reset();
        }
    }

    @Override
    public void onPing(ByteBuffer payload) {
        events.add("ping " + StandardCharsets.UTF_8.decode(payload));
    }

    @Override
    public void onPong(ByteBuffer payload) {
        events.add("pong " + StandardCharsets.UTF_8.decode(payload));
    }

    @Override
    public void onClose(int code, String reason) {
        events.add("close " + code + " " + reason);
    }
}
