package io.wsp.agent.websocket;

import java.io.IOException;

/** The server answered the opening handshake with another status than 101. */
public final class HandshakeException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    HandshakeException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the server answered with. */
    public int status() {
        return status;
    }
}
