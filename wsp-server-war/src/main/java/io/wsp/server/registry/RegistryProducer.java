package io.wsp.server.registry;

import io.wsp.server.Timers;
import io.wsp.server.config.ServerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Provides the deployment's one registry. */
@ApplicationScoped
public class RegistryProducer {

    @Produces
    @Singleton
    AgentRegistry registry(ServerSettings settings, Timers timers) {
        return new LocalAgentRegistry(settings.idleTimeout(), settings.pingInterval(), settings.maxWaiting(),
                timers.executor());
    }
}
