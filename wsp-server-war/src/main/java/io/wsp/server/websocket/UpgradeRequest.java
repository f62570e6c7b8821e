package io.wsp.server.websocket;

import io.wsp.protocol.websocket.WebSocketHandshake;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.Optional;

/** Checks that an HTTP request is a WebSocket opening handshake this server can accept (RFC 6455, 4.2.1). */
public final class UpgradeRequest {

    private UpgradeRequest() {
    }

    /** Why {@code request} is no WebSocket handshake we accept; empty when it is one. */
    public static Optional<String> problem(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return Optional.of("a WebSocket handshake is a GET");
        }
        if (!"websocket".equalsIgnoreCase(trim(request.getHeader("Upgrade")))) {
            return Optional.of("Upgrade: websocket expected");
        }
        if (!hasToken(request.getHeader("Connection"), "upgrade")) {
            return Optional.of("Connection: Upgrade expected");
        }
        if (!WebSocketHandshake.validKey(trim(request.getHeader("Sec-WebSocket-Key")))) {
            return Optional.of("Sec-WebSocket-Key missing or malformed");
        }
        return Optional.empty();
    }

    /** Whether the client speaks the one WebSocket version there is; if not, it gets 426. */
    public static boolean versionSupported(HttpServletRequest request) {
        return WebSocketHandshake.VERSION.equals(trim(request.getHeader("Sec-WebSocket-Version")));
    }

    private static boolean hasToken(String header, String token) {
        return header != null && Arrays.stream(header.split(",")).anyMatch(t -> t.trim().equalsIgnoreCase(token));
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }
}
