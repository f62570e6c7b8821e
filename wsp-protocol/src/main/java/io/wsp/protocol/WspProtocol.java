package io.wsp.protocol;

/**
 * Constants of the wsp wire protocol, shared by server and agent. The names and numbers that the
 * Go wsp (root-gg/wsp) also uses must stay exactly as they are, or the two stop interoperating.
 */
public final class WspProtocol {

    /** Handshake header carrying the shared registration secret. */
    public static final String SECRET_KEY_HEADER = "X-SECRET-KEY";

    /** Caller header naming the internal URL the request is for. */
    public static final String DESTINATION_HEADER = "X-PROXY-DESTINATION";

    /** Caller header asking for one agent by id (ours only; the Go wsp picks at random). */
    public static final String AGENT_HEADER = "X-PROXY-AGENT";

    /**
     * Handshake header with the agent's labels ({@code env=prod,region=eu}). A header, not part of
     * the greeting, so the Go wsp server ignores it.
     */
    public static final String AGENT_LABELS_HEADER = "X-PROXY-AGENT-LABELS";

    /**
     * Handshake header announcing the agent id before the upgrade, so a key that belongs to another
     * agent is refused with 401 at once. The greeting still names the id, as in the Go wsp.
     */
    public static final String AGENT_ID_HEADER = "X-PROXY-AGENT-ID";

    /** Caller header asking for any agent whose labels include these ({@code env=prod,region=eu}). */
    public static final String AGENT_SELECTOR_HEADER = "X-PROXY-AGENT-SELECTOR";

    /** Header carrying the id that ties one request together across callers, logs and APIs. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    /** Status the Go agent (and ours) answers when it could not perform the request itself. */
    public static final int AGENT_ERROR_STATUS = 527;

    /**
     * Header of a 527 answer naming what kind of failure it was, when the server should answer
     * other than 502 (ours only; the Go wsp ignores it and passes the 527 on).
     */
    public static final String AGENT_ERROR_KIND_HEADER = "X-Wsp-Agent-Error";

    /** Agent error kind: connecting to the internal API took longer than the agent's connect timeout. */
    public static final String AGENT_ERROR_CONNECT_TIMEOUT = "connect-timeout";

    /** Agent error kind: the internal API sent no response head within the agent's request timeout. */
    public static final String AGENT_ERROR_REQUEST_TIMEOUT = "request-timeout";

    /** Content length value meaning "not known in advance" (Go's -1). */
    public static final long UNKNOWN_LENGTH = -1;

    /**
     * Size of one binary frame of a streamed body. Tens of KB keeps per-connection memory small and
     * stays far below Tyrus' 4 MB single-frame limit.
     */
    public static final int BODY_FRAME_SIZE = 64 * 1024;

    /** Upper bound of a text message (greeting or request/response head). */
    public static final int MAX_TEXT_MESSAGE = 1024 * 1024;

    /** Upper bound of an agent id; longer ids are refused at the greeting. */
    public static final int MAX_AGENT_ID_LENGTH = 200;

    /** Upper bound of the pool idle size an agent may announce. */
    public static final int MAX_POOL_SIZE = 10_000;

    /** Close code used when the request on this connection was abandoned by the caller. */
    public static final int CLOSE_REQUEST_ABORTED = 4000;

    /** Close code for a peer that answered no ping for two ping intervals: presumed dead. */
    public static final int CLOSE_NOT_RESPONDING = 4001;

    private WspProtocol() {
    }
}
