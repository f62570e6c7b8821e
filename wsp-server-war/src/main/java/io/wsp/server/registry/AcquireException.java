package io.wsp.server.registry;

/** Why no agent connection could be had for a request. */
public class AcquireException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The distinct outcomes a caller sees as distinct errors. */
    public enum Reason {
        NO_AGENT, ALL_BUSY, QUEUE_FULL
    }

    private final Reason reason;

    public AcquireException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
