package io.wsp.agent.connect;

import io.wsp.agent.websocket.ClientWebSocket;
import io.wsp.protocol.Labels;
import io.wsp.protocol.WspProtocol;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Opens WebSocket connections to wsp servers, each on its own socket with its own reader thread,
 * so a reader blocked by request body backpressure stalls only its own connection. Thread safe.
 */
final class Dialer {

    /** A server that accepts TCP but never answers the upgrade fails after this. */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final Map<String, String> headers = new LinkedHashMap<>();
    private final SSLContext sslContext;

    /**
     * @param agentId and {@code labels} go out as handshake headers: the server refuses a key that
     *                is not this agent's before the upgrade, and callers can select agents by label
     * @param sslContext for wss:// only (host names are always verified); null for the JVM's default
     */
    Dialer(String agentId, Labels labels, String secretKey, SSLContext sslContext) {
        headers.put(WspProtocol.SECRET_KEY_HEADER, secretKey);
        headers.put(WspProtocol.AGENT_ID_HEADER, agentId);
        if (!labels.isEmpty()) {
            headers.put(WspProtocol.AGENT_LABELS_HEADER, labels.toString());
        }
        this.sslContext = sslContext;
    }

    /** Connects {@code connection} to {@code server}; blocks until the handshake is done or failed. */
    void dial(ServerConnection connection, URI server) throws IOException {
        connection.opened(ClientWebSocket.connect(server, headers, sslContext, HANDSHAKE_TIMEOUT_MILLIS));
    }
}
