package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import io.wsp.agent.connect.HandshakeServer.Frame;
import io.wsp.agent.connect.HandshakeServer.Peer;
import io.wsp.protocol.WspProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that accepts the WebSocket handshake and then never answers anything stands in for a
 * host that froze or vanished without closing: the agent must notice through its pings, close the
 * connection and dial again.
 */
@Timeout(30)
class LivenessTest {

    @Test
    void aServerThatAnswersNoPingIsClosedAndRedialled() throws Exception {
        try (HandshakeServer silent = HandshakeServer.plain()) {
            AgentConfig config = AgentConfig.builder().id("pinger").server("ws://127.0.0.1:" + silent.port() + "/register")
                    .poolIdleSize(1).poolMaxSize(1).pingInterval(Duration.ofMillis(200)).build();
            try (Agent agent = Agent.start(config)) {
                Peer first = silent.awaitUpgraded();
                List<Frame> frames = readUntilClose(first);
                assertEquals(Frame.TEXT, frames.get(0).opcode(), "the greeting comes first");
                assertTrue(frames.stream().anyMatch(f -> f.opcode() == Frame.PING), "pings before giving up");
                Frame close = frames.get(frames.size() - 1);
                assertEquals(WspProtocol.CLOSE_NOT_RESPONDING, close.closeCode());
                assertEquals("no pong", close.closeReason());
                silent.awaitUpgraded();
            }
        }
    }

    @Test
    void aServerThatAnswersPingsKeepsItsConnection() throws Exception {
        try (HandshakeServer answering = HandshakeServer.plain()) {
            AgentConfig config = AgentConfig.builder().id("pinger").server("ws://127.0.0.1:" + answering.port() + "/register")
                    .poolIdleSize(1).poolMaxSize(1).pingInterval(Duration.ofMillis(100)).build();
            try (Agent agent = Agent.start(config)) {
                Peer peer = answering.awaitUpgraded();
                assertEquals(Frame.TEXT, peer.read().opcode());
                // Ten pings answered span five times the interval after which an unanswered one closes.
                for (int pings = 0; pings < 10; pings++) {
                    Frame frame = peer.read();
                    assertEquals(Frame.PING, frame.opcode(), "only pings while idle, no close");
                    peer.send(0xA, true, frame.payload());
                }
                assertEquals(1, agent.openConnections().values().iterator().next());
            }
        }
    }

    /** The client's frames, up to and including a close. */
    private static List<Frame> readUntilClose(Peer peer) throws Exception {
        List<Frame> frames = new ArrayList<>();
        Frame frame;
        do {
            frame = peer.read();
            frames.add(frame);
        } while (frame.opcode() != Frame.CLOSE);
        return frames;
    }
}
