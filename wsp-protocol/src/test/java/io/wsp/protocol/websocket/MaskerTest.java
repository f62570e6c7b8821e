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
            int length = random.nextInt(40);
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
            ByteBuffer buffer = ByteBuffer.wrap(data);
            if (random.nextBoolean()) {
                buffer.order(ByteOrder.LITTLE_ENDIAN);
            }
            Masker.mask(buffer, from, from + length, key, offset);
            assertArrayEquals(expected, data, "round " + round);
        }
    }
}
