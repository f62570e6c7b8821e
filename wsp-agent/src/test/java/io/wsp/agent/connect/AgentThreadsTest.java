package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsp.agent.Agent;
import io.wsp.agent.StartedThreads;
import io.wsp.agent.config.AgentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tests and embedders start and stop many agents in one JVM: each must take all its threads along. */
@Timeout(30)
class AgentThreadsTest {

    @Test
    void closingAConnectedAgentStopsEveryThreadItStarted() throws Exception {
        try (HandshakeServer server = HandshakeServer.plain()) {
            StartedThreads started = new StartedThreads(t -> !t.getName().equals("handshake-server"));
            Agent agent = Agent.start(AgentConfig.builder().id("threads").server("ws://127.0.0.1:" + server.port() + "/register")
                    .poolIdleSize(3).poolMaxSize(3).build());
            for (int i = 0; i < 3; i++) {
                assertEquals("threads_3", server.awaitUpgraded().read().text());
            }
            agent.close();
            started.awaitAllEnded();
        }
    }
}
