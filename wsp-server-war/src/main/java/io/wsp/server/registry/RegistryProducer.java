package io.wsp.server.registry;

import io.wsp.server.Timers;
import io.wsp.server.cluster.ClusteredAgentRegistry;
import io.wsp.server.config.ClusterSettings;
import io.wsp.server.config.ServerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Provides the deployment's one registry: this node's own, or a cluster node's when {@code wsp.cluster} is on. */
@ApplicationScoped
public class RegistryProducer {

    @Produces
    @Singleton
    AgentRegistry registry(ServerSettings settings, ClusterSettings cluster, Timers timers) {
        LocalAgentRegistry local = new LocalAgentRegistry(settings.idleTimeout(), settings.pingInterval(),
                settings.maxWaiting(), timers.executor());
        return cluster.enabled() ? ClusteredAgentRegistry.start(local, cluster) : local;
    }

    void close(@Disposes AgentRegistry registry) {
        registry.leave();
    }
}
