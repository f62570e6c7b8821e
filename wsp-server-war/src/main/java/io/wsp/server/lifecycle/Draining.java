package io.wsp.server.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;

/** Whether the server is stopping: once set, {@code /request} refuses new requests. Thread safe. */
@ApplicationScoped
public class Draining {

    private volatile boolean draining;

    public boolean isDraining() {
        return draining;
    }

    void start() {
        draining = true;
    }
}
