package io.wsp.protocol;

import java.nio.charset.StandardCharsets;

/** Fits text into a WebSocket close reason, which RFC 6455 limits to 123 bytes of UTF-8. */
public final class CloseReasons {

    /** The close frame's payload is at most 125 bytes, two of them the code. */
    public static final int MAX_REASON_BYTES = 123;

    private CloseReasons() {
    }

    /** {@code reason} itself when it fits, else its first bytes and "..."; never a broken character. */
    public static String fit(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        StringBuilder out = new StringBuilder();
        int used = 3;
        for (int i = 0; i < reason.length(); ) {
            int cp = reason.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + size > MAX_REASON_BYTES) {
                break;
            }
            out.appendCodePoint(cp);
            used += size;
            i += Character.charCount(cp);
        }
        return out.append("...").toString();
    }
}
