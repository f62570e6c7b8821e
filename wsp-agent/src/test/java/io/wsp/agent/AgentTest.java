package io.wsp.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.config.AgentConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class AgentTest {

    @Test
    void anUnreachableServerHasNoOpenConnectionsAndCloseStopsAllAgentThreads() throws IOException, InterruptedException {
        URI server = URI.create("ws://127.0.0.1:" + closedPort() + "/register");
        // Other test classes' connections in this JVM have threads of the same names, ending on their own.
        Set<Thread> before = Set.copyOf(agentThreads());
        Agent agent = Agent.start(AgentConfig.builder().server(server.toString()).id("agent-test").build());

        assertEquals("agent-test", agent.id());
        assertEquals(Map.of(server, 0), agent.openConnections());
        assertEquals(0, agent.openConnections(URI.create("ws://elsewhere/register")));

        agent.close();
        agent.close();

        awaitNoAgentThreads(before);
    }

    /** Joins agent threads until none is left; a busy poll would compete with the threads it waits for. */
    private static void awaitNoAgentThreads(Set<Thread> others) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<Thread> running;
        while (!(running = started(others)).isEmpty()) {
            for (Thread thread : running) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            assertTrue(System.nanoTime() < deadline, "agent threads still running after close(): " + started(others));
        }
    }

    private static List<Thread> started(Set<Thread> others) {
        return agentThreads().stream().filter(t -> !others.contains(t)).toList();
    }

    private static List<Thread> agentThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("wsp-agent-"))
                .toList();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
