package io.wsp.server.auth;

/** A known caller asked for an agent or destination its key does not allow; the message says which. */
public final class ForbiddenException extends Exception {

    private static final long serialVersionUID = 1L;

    ForbiddenException(String message) {
        super(message, null, false, false);
    }
}
