package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server that accepts the WebSocket handshake and then never answers anything stands in for a
 * host that froze or vanished without closing: the agent must notice through its pings, close the
 * connection and dial again.
 */
class LivenessTest {

    @Test
    void aServerThatAnswersNoPingIsClosedAndRedialled() throws Exception {
        try (HandshakeServer silent = HandshakeServer.plain()) {
            AgentConfig config = AgentConfig.builder().id("pinger").server("ws://127.0.0.1:" + silent.port() + "/register")
                    .poolIdleSize(1).poolMaxSize(1).pingInterval(Duration.ofMillis(200)).build();
            try (Agent agent = Agent.start(config)) {
                Socket first = silent.awaitUpgraded();
                first.setSoTimeout(10_000);
                List<Integer> opcodes = readOpcodesUntilClose(first.getInputStream());
                assertEquals(0x1, opcodes.get(0), "the greeting comes first");
                assertTrue(opcodes.contains(0x9), "pings before giving up: " + opcodes);
                assertEquals(0x8, opcodes.get(opcodes.size() - 1), "then a close frame: " + opcodes);
                silent.awaitUpgraded();
            }
        }
    }

    /** Reads client frames (masked) and returns their opcodes, up to and including a close. */
    private static List<Integer> readOpcodesUntilClose(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        List<Integer> opcodes = new ArrayList<>();
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            in.skipNBytes(((b1 & 0x80) != 0 ? 4 : 0) + length);
            opcodes.add(b0 & 0x0f);
            if ((b0 & 0x0f) == 0x8) {
                return opcodes;
            }
        }
    }
}
