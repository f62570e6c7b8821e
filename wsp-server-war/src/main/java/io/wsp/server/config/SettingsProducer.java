package io.wsp.server.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Loads the settings once per deployment and logs them (secrets masked). */
@ApplicationScoped
public class SettingsProducer {

    private static final System.Logger LOG = System.getLogger(SettingsProducer.class.getName());

    /** Guarded by this. */
    private SettingsLoader loader;

    /** Loads the settings while deploying, so a bad setting fails the deployment, not a request. */
    void validateAtStart(@Observes @Initialized(ApplicationScoped.class) Object started, ServerSettings settings,
                         ClusterSettings cluster) {
        LOG.log(System.Logger.Level.DEBUG, "settings validated");
    }

    @Produces
    @Singleton
    ServerSettings settings() {
        ServerSettings settings = loader().load();
        LOG.log(System.Logger.Level.INFO, "wsp server settings: {0}", settings);
        return settings;
    }

    @Produces
    @Singleton
    ClusterSettings cluster() {
        ClusterSettings cluster = loader().loadCluster();
        LOG.log(System.Logger.Level.INFO, "wsp cluster settings: {0}", cluster);
        return cluster;
    }

    /** One loader for both records, so the YAML file is read once. */
    private synchronized SettingsLoader loader() {
        if (loader == null) {
            loader = SettingsLoader.fromSystem(SettingsProducer.class.getClassLoader()::getResourceAsStream);
        }
        return loader;
    }
}
