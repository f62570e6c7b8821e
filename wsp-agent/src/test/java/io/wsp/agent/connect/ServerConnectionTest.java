package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.connect.HandshakeServer.Frame;
import io.wsp.agent.connect.HandshakeServer.Peer;
import io.wsp.agent.forward.Forwarder;
import io.wsp.protocol.CloseReasons;
import io.wsp.protocol.Greeting;
import io.wsp.protocol.HeadCodec;
import io.wsp.protocol.Labels;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.rules.RuleSet;
import jakarta.websocket.CloseReason.CloseCodes;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One connection against a server played by hand: how each way of ending reaches the pool exactly
 * once, and what goes out on the wire when the agent closes.
 */
@Timeout(60)
class ServerConnectionTest {

    private final Forwarder forwarder = new Forwarder(new RuleSet(List.of(), List.of()), false,
            Duration.ofSeconds(5), Duration.ofSeconds(5));
    private final Events events = new Events();
    private Dialer dialer;
    private HandshakeServer server;
    private ServerConnection connection;
    private Peer peer;

    @BeforeEach
    void connect() throws Exception {
        dialer = new Dialer("agent-1", Labels.NONE, "", SSLContext.getDefault());
        server = HandshakeServer.plain();
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/register");
        connection = new ServerConnection(uri, new Greeting("agent-1", 1), forwarder, new HeadCodec(), events);
        dialer.dial(connection, uri);
        peer = server.awaitUpgraded();
        assertEquals("opened", events.next());
        assertEquals("agent-1_1", peer.read().text(), "the greeting comes first");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        dialer.close();
        forwarder.close();
    }

    @Test
    void ourCloseGoesOutWithItsCodeAndReasonAndIsHeardOnce() throws Exception {
        connection.close(WspProtocol.CLOSE_REQUEST_ABORTED, "caller gone");
        Frame close = peer.read();
        assertEquals(WspProtocol.CLOSE_REQUEST_ABORTED, close.closeCode());
        assertEquals("caller gone", close.closeReason());
        assertEquals("closed", events.next());
        assertClosedByTheClient();
        assertTrue(events.queue.isEmpty(), "heard once: " + events.queue);
    }

    @Test
    void ourCloseEndsTheConnectionWhenTheServerNeverAnswersIt() throws Exception {
        connection.close(CloseCodes.GOING_AWAY.getCode(), "agent shutting down");
        assertEquals(CloseCodes.GOING_AWAY.getCode(), peer.read().closeCode());
        assertEquals("closed", events.next());
        assertClosedByTheClient();
    }

    @Test
    void theServersCloseIsAnsweredAndHeardOnce() throws Exception {
        peer.sendClose(CloseCodes.GOING_AWAY.getCode(), "server stopping");
        assertEquals(CloseCodes.GOING_AWAY.getCode(), peer.read().closeCode(), "the close is answered");
        assertEquals("closed", events.next());
        assertClosedByTheClient();
        assertTrue(events.queue.isEmpty(), "heard once: " + events.queue);
    }

    @Test
    void aConnectionLostWithoutACloseIsHeardOnce() throws Exception {
        peer.socket().close();
        assertEquals("closed", events.next());
        connection.close(CloseCodes.GOING_AWAY.getCode(), "too late");
        assertTrue(events.queue.poll(200, TimeUnit.MILLISECONDS) == null, "heard once: " + events.queue);
        assertThrows(IOException.class, () -> connection.sendHead(new ResponseHead(200, Map.of(), 0)));
    }

    @Test
    void aLongAbortReasonIsCutToFitACloseFrame() throws Exception {
        connection.abort("the internal response broke: " + "x".repeat(300));
        Frame close = peer.read();
        assertEquals(CloseCodes.UNEXPECTED_CONDITION.getCode(), close.closeCode());
        assertTrue(close.closeReason().startsWith("the internal response broke: xxx"), close.closeReason());
        assertTrue(close.closeReason().getBytes(StandardCharsets.UTF_8).length <= CloseReasons.MAX_REASON_BYTES);
    }

    @Test
    void aTextMessageOverTheLimitIsRefusedAsTooBig() throws Exception {
        peer.sendText("h".repeat(WspProtocol.MAX_TEXT_MESSAGE + 1));
        assertEquals(CloseCodes.TOO_BIG.getCode(), peer.read().closeCode());
        assertEquals("closed", events.next());
    }

    @Test
    void aBodyWithoutARequestIsAProtocolError() throws Exception {
        peer.send(Frame.BINARY, true, new byte[] {1});
        Frame close = peer.read();
        assertEquals(CloseCodes.PROTOCOL_ERROR.getCode(), close.closeCode());
        assertEquals("binary message without a request", close.closeReason());
        assertEquals("closed", events.next());
    }

    /** The client closed its end of the TCP connection: the server reads its end of stream. */
    private void assertClosedByTheClient() throws IOException {
        try {
            Frame unexpected = peer.read();
            throw new AssertionError("a frame after the close: opcode " + unexpected.opcode());
        } catch (EOFException | SocketException closed) {
            // The end of the stream, or a reset: either way the client let go.
        }
    }

    /** What the pool would hear. */
    private static final class Events implements ServerConnection.Listener {

        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        @Override
        public boolean opened(ServerConnection connection) {
            queue.add("opened");
            return true;
        }

        @Override
        public void stateChanged(ServerConnection connection) {
            queue.add(connection.isIdle() ? "idle" : "busy");
        }

        @Override
        public void closed(ServerConnection connection, boolean early) {
            queue.add("closed");
        }

        String next() throws InterruptedException {
            String event = queue.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("nothing heard within 10 s");
            }
            return event;
        }
    }
}
