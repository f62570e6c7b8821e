package io.wsp.server.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Loads the settings once per deployment and logs them (secret masked). */
@ApplicationScoped
public class SettingsProducer {

    /** Loads the settings while deploying, so a bad setting fails the deployment, not a request. */
    void validateAtStart(@Observes @Initialized(ApplicationScoped.class) Object started, ServerSettings settings) {
        LOG.log(System.Logger.Level.DEBUG, "settings validated");
    }

    private static final System.Logger LOG = System.getLogger(SettingsProducer.class.getName());

    @Produces
    @Singleton
    ServerSettings settings() {
        ServerSettings settings = SettingsLoader.fromSystem().load();
        LOG.log(System.Logger.Level.INFO, "wsp server settings: {0}", settings);
        if (!settings.secretKeyRequired()) {
            LOG.log(System.Logger.Level.WARNING, "wsp server: no secret key set, any agent may register");
        }
        return settings;
    }
}
