package io.wsp.agent.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsp.protocol.ResponseHead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class TrafficTest {

    private final Traffic traffic = new Traffic();
    private final CompletableFuture<Void> write = new CompletableFuture<>();
    private final ResponseSink sink = traffic.track(new ResponseSink() {
        @Override
        public void sendHead(ResponseHead head) {
        }

        @Override
        public void sendBody(ByteBuffer frame, boolean last) {
        }

        @Override
        public CompletionStage<Void> sendHeadAndBody(ResponseHead head, ByteBuffer body) {
            return write;
        }

        @Override
        public void abort(String reason) {
        }
    });

    @Test
    void aWholeResponseIsCountedOnceWritten() {
        sink.sendHeadAndBody(new ResponseHead(200, Map.of(), 3), ByteBuffer.allocate(3));
        assertEquals(1, traffic.inFlight(), "queued, not written yet");
        assertEquals(0L, traffic.responses().get("2xx"));

        write.complete(null);

        assertEquals(0, traffic.inFlight());
        assertEquals(1L, traffic.responses().get("2xx"));
        assertEquals(3, traffic.responseBytes());
        assertEquals(0, traffic.aborted());
    }

    @Test
    void aWholeResponseThatCouldNotBeWrittenIsCountedAsAborted() {
        sink.sendHeadAndBody(new ResponseHead(200, Map.of(), 3), ByteBuffer.allocate(3));

        write.completeExceptionally(new IOException("Broken pipe"));

        assertEquals(0, traffic.inFlight());
        assertEquals(1, traffic.aborted());
        assertEquals(0L, traffic.responses().get("2xx"));
        assertEquals(0, traffic.responseBytes());
    }
}
