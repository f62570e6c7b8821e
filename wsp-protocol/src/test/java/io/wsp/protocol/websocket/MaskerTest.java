package io.wsp.protocol.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskerTest {

    @Test
    void masksLikeTheByteByByteDefinitionAtEveryOffsetLengthAndOrder() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            int length = random.nextInt(80);
            int from = random.nextInt(5);
            long offset = random.nextInt(1 << 20);
            int key = random.nextInt();
            byte[] data = new byte[from + length + 3];
            random.nextBytes(data);
            byte[] expected = data.clone();
            for (int i = 0; i < length; i++) {
                int keyByte = (key >>> (24 - 8 * (int) ((offset + i) % 4))) & 0xff;
                expected[from + i] ^= (byte) keyByte;
            }
            int kind = random.nextInt(3);
            // A buffer of its own array, a slice of a larger one (an array offset), or a direct one.
            byte[] backing = new byte[data.length + 7];
            ByteBuffer buffer = switch (kind) {
                case 0 -> ByteBuffer.wrap(data);
                case 1 -> ByteBuffer.wrap(backing, 7, data.length).slice().put(data).clear();
                default -> ByteBuffer.allocateDirect(data.length).put(data).clear();
            };
            if (random.nextBoolean()) {
                buffer.order(ByteOrder.LITTLE_ENDIAN);
            }
            Masker.mask(buffer, from, from + length, key, offset);
            if (kind != 0) {
                buffer.get(0, data);
            }
            assertArrayEquals(expected, data, "round " + round + ", kind " + kind);
        }
    }
}
