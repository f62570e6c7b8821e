package io.wsp.server.registry;

import io.wsp.server.config.ServerSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Provides the deployment's one registry, and its timer thread, which ends with the deployment. */
@ApplicationScoped
public class RegistryProducer {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wsp-registry-timer");
        t.setDaemon(true);
        return t;
    });

    @Produces
    @Singleton
    AgentRegistry registry(ServerSettings settings) {
        return new LocalAgentRegistry(settings.idleTimeout(), timer);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
