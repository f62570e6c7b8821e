package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wsp.agent.connect.HandshakeServer.Frame;
import io.wsp.agent.connect.HandshakeServer.Peer;
import io.wsp.protocol.Labels;
import io.wsp.protocol.WspProtocol;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Tyrus client as the dialler sets it up, against a server played by hand: the handshake the
 * server sees, how refusals and silence end, and how messages and threads reach an endpoint.
 */
@Timeout(60)
class DialerTest {

    private final Dialer dialer;

    DialerTest() throws Exception {
        dialer = new Dialer("agent-7", Labels.of(Map.of("env", "prod")), "s3cret", SSLContext.getDefault());
    }

    @AfterEach
    void close() {
        dialer.close();
    }

    @Test
    void theHandshakeCarriesTheSecretKeyTheAgentIdAndItsLabels() throws Exception {
        try (HandshakeServer server = HandshakeServer.plain()) {
            Recorder endpoint = new Recorder();
            dialer.dial(endpoint, register(server));
            Peer peer = server.awaitUpgraded();
            assertEquals("s3cret", peer.requestHeader(WspProtocol.SECRET_KEY_HEADER));
            assertEquals("agent-7", peer.requestHeader(WspProtocol.AGENT_ID_HEADER));
            assertEquals("env=prod", peer.requestHeader(WspProtocol.AGENT_LABELS_HEADER));
            assertTrue(peer.request().startsWith("GET /register HTTP/1.1\r\n"), peer.request());
        }
    }

    @Test
    void anIpv6LiteralIsDialledAndNamedInBracketsInTheHostHeader() throws Exception {
        HandshakeServer v6;
        try {
            v6 = HandshakeServer.plainOn(InetAddress.getByName("::1"));
        } catch (IOException noIpv6) {
            assumeTrue(false, "no IPv6 loopback here: " + noIpv6);
            return;
        }
        try (v6) {
            dialer.dial(new Recorder(), URI.create("ws://[::1]:" + v6.port() + "/register"));
            assertEquals("[::1]:" + v6.port(), v6.awaitUpgraded().requestHeader("Host"));
        }
    }

    @Test
    void anAgentWithoutLabelsSendsNoLabelsHeader() throws Exception {
        Dialer unlabelled = new Dialer("agent-8", Labels.NONE, "", SSLContext.getDefault());
        try (HandshakeServer server = HandshakeServer.plain()) {
            unlabelled.dial(new Recorder(), register(server));
            assertNull(server.awaitUpgraded().requestHeader(WspProtocol.AGENT_LABELS_HEADER));
        } finally {
            unlabelled.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403, 404, 500, 503})
    void aRefusedHandshakeFailsWithItsStatus(int status) throws Exception {
        try (HandshakeServer server = HandshakeServer.refusing(status)) {
            Recorder endpoint = new Recorder();
            DeploymentException e = assertThrows(DeploymentException.class, () -> dialer.dial(endpoint, register(server)));
            assertEquals(status, Dialer.refusalStatus(e), e.toString());
            assertEquals(1, endpoint.opened.getCount(), "never opened");
        }
    }

    @Test
    void aServerThatNeverAnswersTheUpgradeFailsAfterTheHandshakeTimeout() throws Exception {
        try (HandshakeServer server = HandshakeServer.neverAnswering()) {
            long start = System.nanoTime();
            Exception e = assertThrows(Exception.class, () -> dialer.dial(new Recorder(), register(server)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(-1, Dialer.refusalStatus(e), e.toString());
            assertTrue(millis >= Dialer.HANDSHAKE_TIMEOUT_MILLIS - 500 && millis < 2 * Dialer.HANDSHAKE_TIMEOUT_MILLIS,
                    "failed after " + millis + " ms");
        }
    }

    @Test
    void bodyFramesArriveOneCallPerFrameInOrder() throws Exception {
        try (HandshakeServer server = HandshakeServer.plain()) {
            Recorder endpoint = new Recorder();
            dialer.dial(endpoint, register(server));
            Peer peer = server.awaitUpgraded();
            peer.send(Frame.BINARY, false, new byte[WspProtocol.BODY_FRAME_SIZE]);
            peer.send(0x0, false, new byte[3]);
            peer.send(0x0, true, new byte[0]);
            assertEquals("binary " + WspProtocol.BODY_FRAME_SIZE + " more", endpoint.next());
            assertEquals("binary 3 more", endpoint.next());
            assertEquals("binary 0 last", endpoint.next());
        }
    }

    @Test
    void aTextMessageAsLargeAsTheLimitArrivesWhole() throws Exception {
        try (HandshakeServer server = HandshakeServer.plain()) {
            Recorder endpoint = new Recorder();
            dialer.dial(endpoint, register(server));
            Peer peer = server.awaitUpgraded();
            peer.sendText("h".repeat(WspProtocol.MAX_TEXT_MESSAGE));
            assertEquals("text " + WspProtocol.MAX_TEXT_MESSAGE, endpoint.next());
        }
    }

    @Test
    void aConnectionBlockedInItsMessageCallbackStallsOnlyItself() throws Exception {
        try (HandshakeServer server = HandshakeServer.plain()) {
            CountDownLatch release = new CountDownLatch(1);
            Recorder blocked = new Recorder() {
                @Override
                void onBinary(ByteBuffer frame, boolean last) {
                    super.onBinary(frame, last);
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            Recorder other = new Recorder();
            dialer.dial(blocked, register(server));
            Peer blockedPeer = server.awaitUpgraded();
            dialer.dial(other, register(server));
            Peer otherPeer = server.awaitUpgraded();

            blockedPeer.send(Frame.BINARY, false, new byte[10]);
            assertEquals("binary 10 more", blocked.next());
            otherPeer.sendText("still heard");
            assertEquals("text 11", other.next());
            // Its writes still leave while its reader is held.
            blocked.session.getBasicRemote().sendText("still sending");
            assertEquals("still sending", blockedPeer.read().text());
            release.countDown();
        }
    }

    private static URI register(HandshakeServer server) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/register");
    }

    /** An endpoint that writes down what it hears. */
    static class Recorder extends Endpoint {

        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final CountDownLatch opened = new CountDownLatch(1);
        volatile Session session;

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            this.session = session;
            session.addMessageHandler(String.class, text -> events.add("text " + text.length()));
            session.addMessageHandler(ByteBuffer.class, this::onBinary);
            opened.countDown();
        }

        void onBinary(ByteBuffer frame, boolean last) {
            events.add("binary " + frame.remaining() + (last ? " last" : " more"));
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            events.add("close " + closeReason.getCloseCode().getCode() + " " + closeReason.getReasonPhrase());
        }

        String next() throws InterruptedException {
            String event = events.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("nothing heard within 10 s");
            }
            return event;
        }
    }
}
