package io.wsp.server.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Provides the deployment's one set of traffic counters. */
@ApplicationScoped
public class StatsProducer {

    @Produces
    @Singleton
    TrafficStats stats() {
        return new LocalTrafficStats();
    }
}
