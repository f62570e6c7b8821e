package io.wsp.server.proxy;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;

/** Ends a caller's response so that the caller sees a broken transfer, not a clean short one. */
final class CallerAbort {

    private CallerAbort() {
    }

    static void abort(AsyncContext async, HttpServletResponse response) {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Already completed.
        }
    }
}
