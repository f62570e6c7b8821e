package io.wsp.protocol.websocket;

/** The RFC 6455 close codes wsp sends or must recognise. */
public final class CloseCodes {

    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    /** Reported when a close frame carried no code; never sent. */
    public static final int NO_STATUS = 1005;
    /** Reported when the connection ended without a close frame; never sent. */
    public static final int ABNORMAL = 1006;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int UNEXPECTED_CONDITION = 1011;

    private CloseCodes() {
    }

    /**
     * Whether a peer may put {@code code} in a close frame: the codes RFC 6455 and the IANA registry
     * define for the wire, and the ranges left to libraries (3000-3999) and applications (4000-4999).
     */
    public static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
