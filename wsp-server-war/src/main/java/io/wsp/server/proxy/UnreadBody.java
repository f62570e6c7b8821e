package io.wsp.server.proxy;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Reads and drops the body of a request wsp refuses before forwarding it. On HTTP/2, Payara does
 * not give back the flow-control credit of a body nobody read, so a few refused uploads would
 * stall every later request on the caller's connection. On HTTP/1.x the container closes the
 * connection instead, so nothing needs reading there.
 */
final class UnreadBody {

    /** Past this, a refused caller is not worth the time: its connection may stall instead. */
    static final long MAX_DRAINED = 16L * 1024 * 1024;

    private UnreadBody() {
    }

    static void discard(HttpServletRequest request) {
        if (request.getProtocol().startsWith("HTTP/1") || RequestHeads.contentLength(request) == 0) {
            return;
        }
        drain(request);
    }

    /**
     * Reads and drops what is left of the body, up to {@link #MAX_DRAINED} bytes, on any protocol.
     * Returns whether the body ended.
     */
    static boolean drain(HttpServletRequest request) {
        try {
            ServletInputStream in = request.getInputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while (total < MAX_DRAINED) {
                n = in.read(buffer);
                if (n < 0) {
                    return true;
                }
                total += n;
            }
        } catch (IOException | IllegalStateException e) {
            // The caller is gone or the body was taken already: nothing left to give back.
        }
        return false;
    }
}
