package io.wsp.protocol.websocket;

/** The peer broke RFC 6455; the connection must be closed with {@link #closeCode()}. */
public final class WebSocketProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int closeCode;

    public WebSocketProtocolException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    public int closeCode() {
        return closeCode;
    }
}
