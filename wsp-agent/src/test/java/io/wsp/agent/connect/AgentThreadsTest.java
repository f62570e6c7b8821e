package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tests and embedders start and stop many agents in one JVM: each must take all its threads along. */
@Timeout(30)
class AgentThreadsTest {

    @Test
    void closingAConnectedAgentStopsEveryThreadItStarted() throws Exception {
        try (HandshakeServer server = HandshakeServer.plain()) {
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            Agent agent = Agent.start(AgentConfig.builder().id("threads").server("ws://127.0.0.1:" + server.port() + "/register")
                    .poolIdleSize(3).poolMaxSize(3).build());
            for (int i = 0; i < 3; i++) {
                assertEquals("threads_3", server.awaitUpgraded().read().text());
            }
            agent.close();
            awaitNoThreadsBut(before);
        }
    }

    /** Joins the threads started since {@code before} until none is left. */
    private static void awaitNoThreadsBut(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<Thread> started;
        while (!(started = startedSince(before)).isEmpty()) {
            for (Thread thread : started) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            assertTrue(System.nanoTime() < deadline, "threads still running after close(): " + startedSince(before));
        }
    }

    private static List<Thread> startedSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && !t.getName().equals("handshake-server"))
                .toList();
    }
}
