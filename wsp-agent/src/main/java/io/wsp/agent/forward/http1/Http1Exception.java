package io.wsp.agent.forward.http1;

import java.io.IOException;

/** The destination broke HTTP/1.1 (malformed or oversized head, bad chunk framing). */
public final class Http1Exception extends IOException {

    private static final long serialVersionUID = 1L;

    public Http1Exception(String message) {
        super(message);
    }
}
