package io.wsp.it;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** The agents a test runs in the test JVM; {@link #closeAll} stops them after each test. */
final class TestAgents {

    private final List<Agent> running = new ArrayList<>();

    /** Starts an agent and returns at once: it may never register (a wrong key, say). */
    Agent start(AgentConfig config) {
        Agent agent = Agent.start(config);
        running.add(agent);
        return agent;
    }

    /**
     * An agent with the deployment's shared secret, allowed to reach the internal API's address
     * (127.0.0.1) and nothing else, returned once {@code poolIdle} connections are idle.
     */
    Agent connected(WspServer wsp, String id, int poolIdle, int poolMax) throws IOException, InterruptedException {
        return connected(wsp, id, poolIdle, poolMax, b -> b.allowCidr("127.0.0.1"));
    }

    /** The same with the rest of the configuration ({@code more}: rules, labels...) up to the test. */
    Agent connected(WspServer wsp, String id, int poolIdle, int poolMax, UnaryOperator<AgentConfig.Builder> more)
            throws IOException, InterruptedException {
        Agent agent = start(more.apply(AgentConfig.builder().id(id).server(wsp.registerUrl()).secretKey(WspServer.SECRET)
                .poolIdleSize(poolIdle).poolMaxSize(poolMax)).build());
        wsp.awaitIdle(id, poolIdle);
        return agent;
    }

    /** The test closed this one itself. */
    void forget(Agent agent) {
        running.remove(agent);
    }

    /** Closes every agent still running and waits until the server has none left. */
    void closeAll(WspServer wsp) throws IOException, InterruptedException {
        for (Agent agent : running) {
            agent.close();
        }
        running.clear();
        wsp.awaitNoAgents();
    }
}
