package io.wsp.agent.forward;

import io.wsp.protocol.ResponseHead;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Records what a connection would send; signals the end of the response. */
final class CollectingSink implements ResponseSink {

    volatile ResponseHead head;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    volatile int frames;
    volatile String abortReason;
    /** The thread that sent the response whole, or null when it went out head first. */
    volatile String sentWholeBy;
    /** The thread that sent the head alone, or null. */
    volatile String sentHeadBy;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final CompletableFuture<String> firstChunk = new CompletableFuture<>();
    final CompletableFuture<String> aborted = new CompletableFuture<>();

    @Override
    public void sendHead(ResponseHead head) {
        this.head = head;
        sentHeadBy = Thread.currentThread().getName();
    }

    @Override
    public CompletionStage<Void> sendHeadAndBody(ResponseHead head, ByteBuffer body) {
        this.head = head;
        sentWholeBy = Thread.currentThread().getName();
        sendBody(body, true);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized void sendBody(ByteBuffer frame, boolean last) {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        body.write(bytes, 0, bytes.length);
        frames++;
        if (bytes.length > 0) {
            firstChunk.complete(new String(bytes, StandardCharsets.UTF_8));
        }
        if (last) {
            done.complete(null);
        }
    }

    @Override
    public void abort(String reason) {
        abortReason = reason;
        aborted.complete(reason);
    }

    void awaitDone() throws Exception {
        done.get(10, TimeUnit.SECONDS);
    }

    synchronized String bodyText() {
        return body.toString(StandardCharsets.UTF_8);
    }

    /** The values of a response header, by name in any case. */
    List<String> header(String name) {
        return head.header.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst().orElse(List.of());
    }
}
