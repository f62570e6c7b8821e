package io.wsp.server.registry;

/** What a node's own connections offer a request, best last. */
public enum Availability {
    /** No agent the request's selector matches is connected. */
    NONE,
    /** Such agents are connected, every connection busy: the request would wait. */
    BUSY,
    /** One has an idle connection: the request is carried at once. */
    IDLE
}
