package io.wsp.protocol.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Applies a frame's masking key (RFC 6455, 5.3) eight bytes at a time: masking every byte of a
 * body on its own was the largest cost of a bulk transfer in Tyrus' implementation.
 */
final class Masker {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Masker() {
    }

    /**
     * XORs {@code buffer}'s bytes from {@code from} (inclusive) to {@code to} (exclusive) with
     * {@code key} (its first byte most significant), in place; the byte at {@code from} is the
     * frame's payload byte number {@code offset} (only {@code offset % 4} matters).
     */
    static void mask(ByteBuffer buffer, int from, int to, int key, long offset) {
        int rotated = Integer.rotateLeft(key, 8 * (int) (offset & 3));
        long word = ((long) rotated << 32) | (rotated & 0xFFFFFFFFL);
        int i = from;
        if (buffer.hasArray()) {
            // On the array itself: twice as fast as the buffer's getLong and putLong.
            byte[] array = buffer.array();
            int base = buffer.arrayOffset();
            long littleEndian = Long.reverseBytes(word);
            for (; i + 8 <= to; i += 8) {
                LONGS.set(array, base + i, (long) LONGS.get(array, base + i) ^ littleEndian);
            }
        } else {
            if (buffer.order() == ByteOrder.LITTLE_ENDIAN) {
                word = Long.reverseBytes(word);
            }
            for (; i + 8 <= to; i += 8) {
                buffer.putLong(i, buffer.getLong(i) ^ word);
            }
        }
        // A whole number of words kept the key's phase: the tail starts on the rotated key's first byte.
        for (int shift = 24; i < to; i++, shift -= 8) {
            buffer.put(i, (byte) (buffer.get(i) ^ (rotated >>> shift)));
        }
    }
}
