package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server that accepts the WebSocket handshake and then never answers anything stands in for a
 * host that froze or vanished without closing: the agent must notice through its pings, close the
 * connection and dial again.
 */
class LivenessTest {

    @Test
    void aServerThatAnswersNoPingIsClosedAndRedialled() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
            Thread acceptor = new Thread(() -> acceptAndHandshake(silent, accepted), "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            AgentConfig config = AgentConfig.builder().id("pinger").server("ws://127.0.0.1:" + silent.getLocalPort() + "/register")
                    .poolIdleSize(1).poolMaxSize(1).pingInterval(Duration.ofMillis(200)).build();
            try (Agent agent = Agent.start(config)) {
                Socket first = accepted.poll(10, TimeUnit.SECONDS);
                assertNotNull(first, "the agent connected");
                first.setSoTimeout(10_000);
                List<Integer> opcodes = readOpcodesUntilClose(first.getInputStream());
                assertEquals(0x1, opcodes.get(0), "the greeting comes first");
                assertTrue(opcodes.contains(0x9), "pings before giving up: " + opcodes);
                assertEquals(0x8, opcodes.get(opcodes.size() - 1), "then a close frame: " + opcodes);
                assertNotNull(accepted.poll(10, TimeUnit.SECONDS), "and a new connection");
            } finally {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    private static void acceptAndHandshake(ServerSocket server, BlockingQueue<Socket> accepted) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                String key = null;
                InputStream in = socket.getInputStream();
                for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                    if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                        key = line.substring(line.indexOf(':') + 1).trim();
                    }
                }
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                accepted.add(socket);
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                return;
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

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
