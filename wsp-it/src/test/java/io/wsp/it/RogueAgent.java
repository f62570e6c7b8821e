package io.wsp.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An agent connection driven by hand (the JDK's WebSocket client, not the agent): the test sends
 * each greeting, head and frame itself, sees what the server sends, and how the server closes it.
 */
final class RogueAgent implements WebSocket.Listener, AutoCloseable {

    /** What {@link #next()} gives for the end of a binary message; its bytes do not matter here. */
    static final String BINARY_END = "<end of binary message>";

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    /** Listener thread only: the text message being assembled from its frames. */
    private final StringBuilder text = new StringBuilder();
    private final WebSocket socket;

    private RogueAgent(WspServer wsp) {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().header("X-SECRET-KEY", WspServer.SECRET)
                .buildAsync(URI.create(wsp.registerUrl()), this).join();
    }

    /** Opens a connection with the right secret and sends nothing yet. */
    static RogueAgent connect(WspServer wsp) {
        return new RogueAgent(wsp);
    }

    RogueAgent sendText(String message) {
        socket.sendText(message, true).join();
        return this;
    }

    RogueAgent sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
        return this;
    }

    /** The next whole text message from the server, or {@link #BINARY_END}. */
    String next() throws InterruptedException {
        String message = received.poll(30, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("the server sent nothing to the rogue agent");
        }
        return message;
    }

    /** How the server closed the connection: "code reason". */
    String awaitClose() throws Exception {
        try {
            return closed.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the server did not close the rogue agent's connection within 30 s; it sent "
                    + received.size() + " messages; " + ThreadDumps.ofContainers("rogue-not-closed"), e);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            received.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        if (last) {
            received.add(BINARY_END);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
