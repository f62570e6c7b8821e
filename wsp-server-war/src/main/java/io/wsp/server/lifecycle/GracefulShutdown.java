package io.wsp.server.lifecycle;

import io.wsp.server.config.ServerSettings;
import io.wsp.server.registry.AgentRegistry;
import io.wsp.server.registry.PoolStatus;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;

/**
 * Stops the deployment gently when the container undeploys it (also on Payara Micro's SIGTERM):
 * new requests get 503 at once, requests in flight get up to {@code wsp.shutdownGrace} to finish,
 * then every agent connection is closed with 1001 "going away", so agents redial at once rather
 * than wait for a ping to fail.
 */
@WebListener
public class GracefulShutdown implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger(GracefulShutdown.class.getName());

    /**
     * How often the busy count is looked at while draining: the registry has no "all idle" signal,
     * and a shutdown happens once, so a short poll costs nothing worth a mechanism of its own.
     */
    private static final Duration POLL = Duration.ofMillis(50);

    @Inject
    AgentRegistry registry;

    @Inject
    ServerSettings settings;

    @Inject
    Draining draining;

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        draining.start();
        registry.leave();
        Duration grace = settings.shutdownGrace();
        int busy = busy();
        LOG.log(System.Logger.Level.INFO, "stopping: new requests refused, {0} in flight get up to {1} ms",
                String.valueOf(busy), String.valueOf(grace.toMillis()));
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (busy > 0 && System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis());
                busy = busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (busy > 0) {
            LOG.log(System.Logger.Level.WARNING, "stopping: {0} requests still in flight after the grace period are cut off",
                    String.valueOf(busy));
        }
        registry.closeAll(CloseCodes.GOING_AWAY.getCode(), "server stopping");
        LOG.log(System.Logger.Level.INFO, "stopped: agent connections closed");
    }

    private int busy() {
        return registry.status().stream().mapToInt(PoolStatus::busy).sum();
    }
}
