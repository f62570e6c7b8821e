package io.wsp.agent.forward;

/**
 * The agent cannot perform a request; the message is the short reason sent back to the caller
 * with status 527, so it must never hold secrets or stack traces.
 */
final class CannotForwardException extends Exception {

    private static final long serialVersionUID = 1L;

    CannotForwardException(String reason) {
        super(reason, null, false, false);
    }
}
