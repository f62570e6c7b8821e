package io.wsp.agent;

import io.wsp.agent.admin.AdminServer;
import io.wsp.agent.config.AgentConfig;
import io.wsp.agent.config.ConfigException;
import io.wsp.agent.connect.Pools;
import io.wsp.agent.forward.Forwarder;
import io.wsp.protocol.HeadCodec;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A running agent: connection pools to every configured wsp server, and the forwarder that
 * performs their requests. Start with {@link #start(AgentConfig)}, stop with {@link #close()}.
 * Several agents may run in one JVM (tests do). Thread safe.
 */
public final class Agent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    private final AgentConfig config;
    private final HeadCodec codec = new HeadCodec();
    private final Forwarder forwarder;
    private final Pools pools;
    /** Null when the admin port is off. */
    private AdminServer admin;
    private boolean closed;

    private Agent(AgentConfig config) {
        this.config = config;
        this.forwarder = new Forwarder(config.rules(), config.allowAll(), config.connectTimeout(), config.requestTimeout());
        this.pools = new Pools(config, forwarder, codec);
    }

    /** Starts connecting to the servers in the background and returns at once. */
    public static Agent start(AgentConfig config) {
        Agent agent = new Agent(config);
        LOG.log(System.Logger.Level.INFO, "agent {0} starting: servers {1}, pool idle {2}, max {3}, labels {4}, "
                + "destination rules: {5} allow, {6} deny{7}, TLS: {8}", config.id(), config.servers(),
                String.valueOf(config.poolIdleSize()), String.valueOf(config.poolMaxSize()), config.labels(),
                String.valueOf(config.rules().whitelistSize()), String.valueOf(config.rules().blacklistSize()),
                config.allowAll() ? ", allow-all" : "", config.tlsSummary());
        if (agent.forwarder.refusesEverything()) {
            LOG.log(System.Logger.Level.WARNING, "agent {0} has no allow rule: it will refuse every request"
                    + " (give --allow URL-REGEX, --allow-cidr CIDR or --allow-all)", config.id());
        }
        if (config.adminAddress() != null) {
            try {
                agent.admin = AdminServer.start(config.adminAddress(), agent.forwarder.traffic(), agent::openConnections);
            } catch (IOException e) {
                agent.close();
                throw new ConfigException("cannot open the admin port " + config.adminAddress() + ": " + e.getMessage(), e);
            }
        }
        agent.pools.start();
        return agent;
    }

    public String id() {
        return config.id();
    }

    /** The admin port actually bound (useful with port 0); -1 when it is off. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Open connections (handshake done, not yet closed) per server URI, in configuration order. */
    public Map<URI, Integer> openConnections() {
        return pools.openConnections();
    }

    /** Open connections to one configured server; 0 for a server that is not configured. */
    public int openConnections(URI server) {
        return openConnections().getOrDefault(server, 0);
    }

    /**
     * Stops gracefully: takes no new requests (idle connections close at once, so servers stop
     * choosing this agent), lets requests in flight finish for up to {@code grace}, then closes.
     */
    public void shutdown(Duration grace) {
        LOG.log(System.Logger.Level.INFO, "agent {0} draining for up to {1} s", config.id(),
                String.valueOf(grace.toSeconds()));
        try {
            pools.drain(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /**
     * Closes all connections (cancelling requests in flight) and stops all threads. Idempotent;
     * waits a few seconds at most for servers to acknowledge the close.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (admin != null) {
            admin.close();
        }
        pools.close();
        forwarder.close();
        LOG.log(System.Logger.Level.INFO, "agent {0} stopped", config.id());
    }
}
