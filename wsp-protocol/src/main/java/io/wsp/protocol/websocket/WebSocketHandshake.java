package io.wsp.protocol.websocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** The key exchange of RFC 6455's opening handshake, for both ends. */
public final class WebSocketHandshake {

    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    public static final String VERSION = "13";

    private static final SecureRandom RANDOM = new SecureRandom();

    private WebSocketHandshake() {
    }

    /** A client's fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64. */
    public static String newKey() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Whether {@code key} is a well-formed {@code Sec-WebSocket-Key}: 16 bytes in base64. */
    public static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The {@code Sec-WebSocket-Accept} that answers {@code key}. */
    public static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }
}
