package io.wsp.agent.connect;

import io.wsp.protocol.Labels;
import io.wsp.protocol.WspProtocol;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * Opens WebSocket connections to wsp servers with one Tyrus {@link ClientManager}. Each connection
 * gets Tyrus' private Grizzly transport (its own selector and two workers), so a receive thread
 * blocked by request body backpressure stalls only its own connection, and closing the connection
 * stops its threads. Thread safe.
 */
final class Dialer implements AutoCloseable {

    /** A server that accepts TCP but never answers the upgrade fails after this. */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final ClientManager client = ClientManager.createClient();
    private final ClientEndpointConfig endpointConfig;

    /**
     * @param agentId and {@code labels} go out as handshake headers: the server refuses a key that
     *                is not this agent's before the upgrade, and callers can select agents by label
     */
    Dialer(String agentId, Labels labels, String secretKey, SSLContext sslContext) {
        client.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, HANDSHAKE_TIMEOUT_MILLIS);
        // Heads are small; a larger text message is refused instead of buffered.
        client.setDefaultMaxTextMessageBufferSize(WspProtocol.MAX_TEXT_MESSAGE);
        client.setDefaultMaxSessionIdleTimeout(0);
        endpointConfig = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.put(WspProtocol.SECRET_KEY_HEADER, List.of(secretKey));
                        headers.put(WspProtocol.AGENT_ID_HEADER, List.of(agentId));
                        if (!labels.isEmpty()) {
                            headers.put(WspProtocol.AGENT_LABELS_HEADER, List.of(labels.toString()));
                        }
                    }
                })
                // Not Tyrus' SSL_ENGINE_CONFIGURATOR: that would put TLS on ws:// connections too.
                // Tyrus uses this context for wss:// only, and always verifies the host name.
                .sslContext(sslContext)
                .build();
    }

    /** Connects {@code endpoint} to {@code server}; blocks until the handshake is done or failed. */
    void dial(Endpoint endpoint, URI server) throws DeploymentException, IOException {
        client.connectToServer(endpoint, endpointConfig, server);
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
