package io.wsp.protocol;

import java.io.IOException;
import java.io.InputStream;

/** Sizing of body frames, shared by the server's and the agent's body pumps. */
public final class Frames {

    private Frames() {
    }

    /**
     * Reads into {@code buffer} after its first {@code filled} bytes for as long as bytes are
     * available without blocking, and returns how many it added. Every frame costs a WebSocket
     * message fragment and a flush on each side, so a bulk body should travel in full frames,
     * while a trickle (server-sent events) must not wait for more data to arrive.
     */
    public static int fillAvailable(InputStream in, byte[] buffer, int filled) throws IOException {
        int added = 0;
        while (filled + added < buffer.length && in.available() > 0) {
            int n = in.read(buffer, filled + added, Math.min(in.available(), buffer.length - filled - added));
            if (n <= 0) {
                break;
            }
            added += n;
        }
        return added;
    }
}
