package io.wsp.server.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;

/** Whether the server is stopping: once set, {@code /request} refuses new requests. Thread safe. */
@ApplicationScoped
public class Draining {

    private volatile boolean draining;

    public boolean isDraining() {
        return draining;
    }

    /** Public, not package-private, so the CDI client proxy surely passes it on to the bean. */
    public void start() {
        draining = true;
    }
}
