package io.wsp.server.agent;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries each {@link Handshake} from {@link RegistrationFilter} to its connection's endpoint. The
 * WebSocket API shows the handshake to the endpoint's configurator only as headers (no servlet
 * request, no remote address), so the filter files the handshake here under a random ticket and
 * names the ticket in a header it sets itself; {@link HandshakeConfigurator} takes it back. A
 * ticket lives only while the filter passes the request on, and the container's upgrade runs
 * within that call, so none outlives its handshake. Thread safe.
 */
@ApplicationScoped
public class HandshakeTickets {

    /** Set by the filter on the request it passes on; a value the client sent is never seen. */
    static final String HEADER = "X-Wsp-Handshake-Ticket";

    private final Map<String, Handshake> filed = new ConcurrentHashMap<>();

    /** Public, like every method here, so the CDI client proxy surely passes it on to the bean. */
    public String file(Handshake handshake) {
        String ticket = UUID.randomUUID().toString();
        filed.put(ticket, handshake);
        return ticket;
    }

    /** The handshake filed under {@code ticket}, once; null for an unknown or a used ticket. */
    public Handshake take(String ticket) {
        return ticket == null ? null : filed.remove(ticket);
    }
}
