package io.wsp.server.agent;

/** Lifecycle of one agent connection as the registry sees it. */
public enum ConnectionState {
    /** Registered and free to carry a request. */
    IDLE,
    /** Carrying a request; nobody else may send on it. */
    BUSY,
    /** Gone or being closed; never handed out again. */
    CLOSED
}
