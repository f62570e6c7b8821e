package io.wsp.server.agent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import java.util.List;
import java.util.Map;

/**
 * What the container's Jakarta WebSocket implementation cannot do of what wsp relies on, warned
 * at start and shown in {@code /status}. The API cannot be asked, and these limits show only under
 * load or after minutes, so the implementation is recognised by the package of the
 * {@link ServerContainer} the specification puts in the servlet context: no container API is used,
 * and an implementation not listed here gets no warning.
 */
@ApplicationScoped
public class WebSocketLimits {

    private static final System.Logger LOG = System.getLogger(WebSocketLimits.class.getName());
    private static final String ATTRIBUTE = ServerContainer.class.getName();
    private static final String SEE = "; see README, What differs on WildFly";
    /** Package prefix of an implementation to what it cannot do; measured with wsp-it (README). */
    private static final Map<String, List<String>> KNOWN = Map.of("io.undertow.", List.of(
            "no backpressure: while wsp writes a response to a slow caller, Undertow reads on from the agent and"
                    + " queues without limit, so server memory grows with each slow download" + SEE,
            "partial messages arrive in 16 KiB pieces: server-sent events and other slow streams reach the caller"
                    + " only as 16 KiB gather or the stream ends" + SEE,
            "no close frame during an unfinished message: an upload of unknown length that the caller breaks off"
                    + " is cancelled at the agent only when the listener's read-timeout (90 s) ends the connection"
                    + SEE));

    /** Written once at start, before any request; read by /status. */
    private volatile String implementation = "none";
    private volatile List<String> limits = List.of();

    void atStart(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        Object container = context.getAttribute(ATTRIBUTE);
        if (container == null) {
            LOG.log(System.Logger.Level.ERROR, "this container gives no Jakarta WebSocket ServerContainer: agents cannot register");
            return;
        }
        implementation = container.getClass().getName();
        limits = KNOWN.entrySet().stream().filter(e -> implementation.startsWith(e.getKey()))
                .flatMap(e -> e.getValue().stream()).toList();
        for (String limit : limits) {
            LOG.log(System.Logger.Level.WARNING, "WebSocket implementation {0}: {1}", implementation, limit);
        }
    }

    /** The class of the container's {@link ServerContainer}; {@code none} without one. */
    public String implementation() {
        return implementation;
    }

    public List<String> limits() {
        return limits;
    }
}
