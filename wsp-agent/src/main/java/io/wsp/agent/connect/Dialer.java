package io.wsp.agent.connect;

import io.wsp.protocol.Labels;
import io.wsp.protocol.WspProtocol;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.exception.DeploymentHandshakeException;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientProperties;

/**
 * Opens WebSocket connections to wsp servers with the Tyrus client, one agent's worth: its
 * handshake headers, its TLS context and its own {@link ClientManager}, shut down by
 * {@link #close}. Thread safe.
 *
 * <p>Threads: Tyrus's Grizzly transport is not shared here, so each connection gets a transport
 * of its own, with one selector thread and {@link #workers() one worker}, and both end with the
 * connection. The worker reads the connection and runs its message callbacks, which block while
 * the exchange's request body buffer is full (backpressure to the server): a blocked connection
 * therefore holds only its own worker, and its writes, which Grizzly completes on the selector
 * thread, still leave. That is two threads per connection: a pool of {@code --pool-max} 100 on
 * each of three servers is at most 600, nearly all parked in a select. The shared transport
 * ({@link ClientProperties#SHARED_CONTAINER}) would need fewer, but it is one per JVM (every
 * agent in a JVM would get the first one's pool size), only its idle timeout stops its threads,
 * and a handshake that times out leaves its connection open.
 */
final class Dialer implements AutoCloseable {

    /**
     * A server that accepts the connection but never answers the upgrade fails after this. Tyrus
     * gives connecting and the TLS handshake 30 s each of their own, a fixed value.
     */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    /**
     * The most one connection holds unparsed: a frame plus whatever the same socket read brought
     * after it (Tyrus refuses more with a close). The server's largest frame is a head sent whole,
     * up to {@link WspProtocol#MAX_TEXT_MESSAGE}; body frames are {@link WspProtocol#BODY_FRAME_SIZE};
     * a read brings at most a socket receive buffer, far less than another head's worth.
     */
    static final int INCOMING_BUFFER_SIZE = 2 * WspProtocol.MAX_TEXT_MESSAGE;

    private final ClientManager client = ClientManager.createClient();
    private final ClientEndpointConfig endpointConfig;

    /**
     * @param agentId and {@code labels} go out as handshake headers: the server refuses a key that
     *                is not this agent's before the upgrade, and callers can select agents by label
     * @param sslContext for wss:// only (host names are always verified)
     */
    Dialer(String agentId, Labels labels, String secretKey, SSLContext sslContext) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(WspProtocol.SECRET_KEY_HEADER, secretKey);
        headers.put(WspProtocol.AGENT_ID_HEADER, agentId);
        if (!labels.isEmpty()) {
            headers.put(WspProtocol.AGENT_LABELS_HEADER, labels.toString());
        }
        // Without an SSL engine configurator of our own, Tyrus checks the certificate's host name.
        this.endpointConfig = ClientEndpointConfig.Builder.create()
                .configurator(new HandshakeHeaders(headers))
                .sslContext(sslContext)
                .build();
        client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, HANDSHAKE_TIMEOUT_MILLIS);
        client.getProperties().put(ClientProperties.INCOMING_BUFFER_SIZE, INCOMING_BUFFER_SIZE);
        client.getProperties().put(GrizzlyClientProperties.WORKER_THREAD_POOL_CONFIG, workers());
        // Defaults, so each session has them from its creation. The idle timeout is negative: with
        // 0 or more Tyrus schedules a timer task at creation and again per message sent or received.
        client.setDefaultMaxSessionIdleTimeout(-1);
        client.setDefaultMaxTextMessageBufferSize(WspProtocol.MAX_TEXT_MESSAGE);
    }

    /**
     * One worker per connection: Grizzly hands a connection's reads to one worker at a time anyway,
     * and a second one would only wait (Tyrus's default for a transport of its own is two). Grizzly's
     * own configuration: Tyrus's refuses fewer than three. Grizzly's own thread factory too, whose
     * threads keep a buffer pool for the reads. Each transport copies the configuration.
     */
    private static ThreadPoolConfig workers() {
        return ThreadPoolConfig.defaultConfig()
                .setPoolName("wsp-agent-ws")
                .setCorePoolSize(1)
                .setMaxPoolSize(1);
    }

    /**
     * Connects {@code endpoint} (a {@link ServerConnection}) to {@code server}; blocks until the
     * handshake is done or failed. The endpoint hears its open before this returns.
     */
    void dial(Endpoint endpoint, URI server) throws IOException, DeploymentException {
        client.connectToServer(endpoint, endpointConfig, server);
    }

    /** The HTTP status a server refused the handshake with, or -1 when {@code error} is not a refusal. */
    static int refusalStatus(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof DeploymentHandshakeException refused) {
                return refused.getHttpStatusCode();
            }
        }
        return -1;
    }

    /** Stops the client's own threads; connections still open keep theirs until they close. */
    @Override
    public void close() {
        client.shutdown();
    }

    /** Adds the agent's headers to every opening handshake. */
    private static final class HandshakeHeaders extends ClientEndpointConfig.Configurator {

        private final Map<String, String> headers;

        HandshakeHeaders(Map<String, String> headers) {
            this.headers = Map.copyOf(headers);
        }

        @Override
        public void beforeRequest(Map<String, List<String>> request) {
            headers.forEach((name, value) -> request.put(name, List.of(value)));
        }
    }
}
