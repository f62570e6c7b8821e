package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void fillsTheFrameWithWhatIsAlreadyAvailable() throws Exception {
        byte[] buffer = new byte[8];
        InputStream in = new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5});
        int first = in.read(buffer, 0, 2);
        assertEquals(3, Frames.fillAvailable(in, buffer, first));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 0, 0, 0}, buffer);
    }

    @Test
    void neverWritesPastTheBuffer() throws Exception {
        byte[] buffer = new byte[4];
        InputStream in = new ByteArrayInputStream(new byte[10]);
        assertEquals(3, Frames.fillAvailable(in, buffer, in.read(buffer, 0, 1)));
        assertEquals(6, in.available());
    }

    @Test
    void doesNotWaitForBytesThatHaveNotArrived() throws Exception {
        // A stream that has delivered its first event and has nothing more yet.
        InputStream trickle = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("must not block for more data");
            }

            @Override
            public int available() {
                return 0;
            }
        };
        byte[] buffer = new byte[16];
        Arrays.fill(buffer, (byte) 7);
        assertEquals(0, Frames.fillAvailable(trickle, buffer, 5));
    }
}
