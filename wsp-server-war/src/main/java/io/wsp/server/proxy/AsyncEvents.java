package io.wsp.server.proxy;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;

/**
 * The one async listener of a request, registered on the servlet thread (the only place the
 * Servlet API allows it), passing each event to whatever carries the request now: an
 * {@link Exchange}, a {@link PeerRelay}, or the successor a failed relay handed the request to.
 */
final class AsyncEvents implements AsyncListener {

    private volatile AsyncListener current;

    void handTo(AsyncListener carrier) {
        current = carrier;
    }

    @Override
    public void onComplete(AsyncEvent event) throws IOException {
        pass(c -> c.onComplete(event));
    }

    @Override
    public void onTimeout(AsyncEvent event) throws IOException {
        pass(c -> c.onTimeout(event));
    }

    @Override
    public void onError(AsyncEvent event) throws IOException {
        pass(c -> c.onError(event));
    }

    /** An event's delivery to one listener. */
    private interface Delivery {
        void to(AsyncListener listener) throws IOException;
    }

    private void pass(Delivery delivery) throws IOException {
        AsyncListener c = current;
        if (c != null) {
            delivery.to(c);
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }
}
