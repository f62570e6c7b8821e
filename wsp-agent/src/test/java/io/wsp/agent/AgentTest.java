package io.wsp.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsp.agent.config.AgentConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class AgentTest {

    @Test
    void anUnreachableServerHasNoOpenConnectionsAndCloseStopsAllAgentThreads() throws IOException, InterruptedException {
        URI server = URI.create("ws://127.0.0.1:" + closedPort() + "/register");
        StartedThreads agentThreads = new StartedThreads(t -> t.getName().startsWith("wsp-agent-"));
        Agent agent = Agent.start(AgentConfig.builder().server(server.toString()).id("agent-test").build());

        assertEquals("agent-test", agent.id());
        assertEquals(Map.of(server, 0), agent.openConnections());
        assertEquals(0, agent.openConnections(URI.create("ws://elsewhere/register")));

        agent.close();
        agent.close();

        agentThreads.awaitAllEnded();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
