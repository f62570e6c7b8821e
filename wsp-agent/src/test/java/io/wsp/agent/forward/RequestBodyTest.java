package io.wsp.agent.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RequestBodyTest {

    /**
     * Blocking writers on threads of their own: since JDK 25 CompletableFuture's default pool is
     * always the common pool, one thread on 2 cores, where a writer left blocked starves the next.
     */
    private static final Executor OWN_THREAD = task -> {
        Thread t = new Thread(task, "blocked-writer");
        t.setDaemon(true);
        t.start();
    };

    @Test
    void aWriteBlocksWhileTheBytesInFlightAreAtCapacityAndGoesOnOnceTheyAreSent() throws Exception {
        RequestBody body = new RequestBody(10, -1);
        body.write(ByteBuffer.allocate(8), false);
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> write(body, 8, false), OWN_THREAD);

        assertEquals(8, body.inFlight());
        assertTrue(!second.isDone());
        Content.Chunk first = body.content().read();
        first.release();

        second.get(5, TimeUnit.SECONDS);
        assertEquals(8, body.inFlight());
    }

    @Test
    void aDiscardedBodyDropsEveryWriteWithoutBlocking() throws Exception {
        RequestBody body = new RequestBody(10, -1);
        body.discard();

        for (int i = 0; i < 100; i++) {
            body.write(ByteBuffer.allocate(8), i == 99);
        }

        assertEquals(0, body.inFlight());
    }

    @Test
    void aFailureWakesABlockedWriterAndReachesTheContent() throws Exception {
        RequestBody body = new RequestBody(10, -1);
        body.write(ByteBuffer.allocate(10), false);
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> write(body, 10, false), OWN_THREAD);

        body.fail(new IOException("gone"));

        blocked.get(5, TimeUnit.SECONDS);
        Content.Chunk chunk = body.content().read();
        assertTrue(Content.Chunk.isFailure(chunk), String.valueOf(chunk));
    }

    @Test
    void aBodyShorterThanItsLengthFailsInsteadOfEnding() throws Exception {
        RequestBody body = new RequestBody(100, 10);

        body.write(ByteBuffer.allocate(3), true);

        Content.Chunk chunk = body.content().read();
        assertEquals("request body shorter than its Content-Length", chunk.getFailure().getMessage());
    }

    @Test
    void aBodyLongerThanItsLengthFailsBeforeItsLastBytesAreHandedOver() throws Exception {
        RequestBody body = new RequestBody(100, 3);

        body.write(ByteBuffer.allocate(4), true);

        Content.Chunk chunk = body.content().read();
        assertEquals("request body longer than its Content-Length", chunk.getFailure().getMessage());
        assertEquals(3, body.content().getLength());
    }

    private static void write(RequestBody body, int size, boolean last) {
        try {
            body.write(ByteBuffer.allocate(size), last);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
