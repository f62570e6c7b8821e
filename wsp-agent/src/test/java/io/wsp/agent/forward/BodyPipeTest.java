package io.wsp.agent.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BodyPipeTest {

    @Test
    void bytesComeOutInOrderFollowedByEndOfStream() throws Exception {
        BodyPipe pipe = new BodyPipe(16);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> readAll(pipe.inputStream()));

        for (int i = 0; i < 100; i++) {
            pipe.write(ByteBuffer.wrap(new byte[] {(byte) i, (byte) (i + 1)}));
        }
        pipe.finish();

        byte[] bytes = read.get(5, TimeUnit.SECONDS);
        assertEquals(200, bytes.length);
        for (int i = 0; i < 100; i++) {
            assertEquals((byte) i, bytes[2 * i]);
            assertEquals((byte) (i + 1), bytes[2 * i + 1]);
        }
    }

    @Test
    void writeCopiesTheFrameSoTheCallerMayReuseIt() throws Exception {
        BodyPipe pipe = new BodyPipe(16);
        ByteBuffer frame = ByteBuffer.wrap(new byte[] {1, 2, 3});

        pipe.write(frame);
        frame.clear();
        frame.put(new byte[] {9, 9, 9});
        pipe.finish();

        assertArrayEquals(new byte[] {1, 2, 3}, readAll(pipe.inputStream()));
    }

    @Test
    void writerBlocksWhenFullAndResumesWhenRead() throws Exception {
        BodyPipe pipe = new BodyPipe(8);
        pipe.write(ByteBuffer.wrap(new byte[8]));
        Thread writer = startWriter(pipe, new byte[4]);

        awaitBlocked(writer);
        assertEquals(8, pipe.buffered());

        byte[] buffer = new byte[8];
        assertEquals(8, pipe.inputStream().read(buffer));
        writer.join(5_000);
        assertFalse(writer.isAlive());
        assertEquals(4, pipe.buffered());
    }

    @Test
    void aFrameLargerThanTheCapacityStillPassesWhenEmpty() throws Exception {
        BodyPipe pipe = new BodyPipe(4);

        pipe.write(ByteBuffer.wrap(new byte[10]));
        pipe.finish();

        assertEquals(10, readAll(pipe.inputStream()).length);
    }

    @Test
    void discardReleasesABlockedWriterAndDropsLaterFrames() throws Exception {
        BodyPipe pipe = new BodyPipe(8);
        pipe.write(ByteBuffer.wrap(new byte[8]));
        Thread writer = startWriter(pipe, new byte[4]);
        awaitBlocked(writer);

        pipe.discard();
        writer.join(5_000);

        assertFalse(writer.isAlive());
        pipe.write(ByteBuffer.wrap(new byte[100]));
        assertEquals(0, pipe.buffered());
    }

    @Test
    void closingTheReaderDiscards() throws Exception {
        BodyPipe pipe = new BodyPipe(8);
        pipe.write(ByteBuffer.wrap(new byte[8]));

        pipe.inputStream().close();
        pipe.write(ByteBuffer.wrap(new byte[100]));

        assertEquals(0, pipe.buffered());
    }

    @Test
    void failureReachesTheReaderAndReleasesTheWriter() throws Exception {
        BodyPipe pipe = new BodyPipe(8);
        pipe.write(ByteBuffer.wrap(new byte[8]));
        Thread writer = startWriter(pipe, new byte[4]);
        awaitBlocked(writer);

        pipe.fail(new IOException("connection closed"));
        writer.join(5_000);

        assertFalse(writer.isAlive());
        IOException e = assertThrows(IOException.class, () -> pipe.inputStream().read(new byte[4]));
        assertEquals("connection closed", e.getMessage());
    }

    @Test
    void failureWakesABlockedReader() throws Exception {
        BodyPipe pipe = new BodyPipe(8);
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                pipe.inputStream().read(new byte[4]);
                return null;
            } catch (IOException e) {
                return e;
            }
        });

        pipe.fail(new IOException("gone"));

        assertTrue(reader.get(5, TimeUnit.SECONDS) instanceof IOException);
    }

    private static Thread startWriter(BodyPipe pipe, byte[] frame) {
        Thread writer = new Thread(() -> {
            try {
                pipe.write(ByteBuffer.wrap(frame));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        writer.start();
        return writer;
    }

    /** Waits until the thread parks: the observable sign that write() blocked. */
    private static void awaitBlocked(Thread thread) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (thread.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline && thread.isAlive(), "writer did not block");
            Thread.onSpinWait();
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
