package io.wsp.server.auth;

import io.wsp.server.config.ServerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the credentials from the settings once per deployment and says loudly what is left open. */
@ApplicationScoped
public class AuthProducer {

    private static final System.Logger LOG = System.getLogger(AuthProducer.class.getName());

    /** Built while deploying, so the warnings come at start and a bad key list fails the deployment. */
    void warnAtStart(@Observes @Initialized(ApplicationScoped.class) Object started, AgentCredentials agents,
                     CallerAuthenticator callers) {
        if (!agents.required()) {
            LOG.log(System.Logger.Level.WARNING, "wsp server: no agent key set, any agent may register");
        }
        switch (callers.mode()) {
            case OFF -> LOG.log(System.Logger.Level.WARNING,
                    "wsp server: no caller key set, anyone who reaches /request may use every agent");
            case OPTIONAL -> LOG.log(System.Logger.Level.WARNING,
                    "wsp server: wsp.requireCallerAuth=false, callers without a key may use every agent");
            case REQUIRED -> {
                if (callers.keyCount() == 0) {
                    LOG.log(System.Logger.Level.WARNING,
                            "wsp server: caller keys required but none set, every /request is refused");
                }
            }
        }
    }

    @Produces
    @Singleton
    AgentCredentials agentCredentials(ServerSettings settings) {
        return new AgentCredentials(settings.secretKey(), settings.agentKeys());
    }

    @Produces
    @Singleton
    CallerAuthenticator callerAuthenticator(ServerSettings settings) {
        return new CallerAuthenticator(settings.callerKeys(), settings.requireCallerAuth());
    }
}
