package io.wsp.protocol;

/** A peer sent something the wsp protocol does not allow; the connection cannot be trusted after it. */
public class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
