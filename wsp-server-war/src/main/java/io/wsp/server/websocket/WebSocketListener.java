package io.wsp.server.websocket;

import io.wsp.protocol.websocket.MessageListener;

/**
 * What the owner of a {@link ServerWebSocket} hears. Messages arrive on the container's read
 * thread, one at a time and in order; a listener may block there, which holds back the peer.
 */
public interface WebSocketListener extends MessageListener {

    /**
     * Everything that had arrived was read and delivered; more will come later. Whoever wrote
     * elsewhere on this connection's behalf flushes now: data stays neither stuck nor split into
     * a flush per read.
     */
    void onReadPause();

    /**
     * Once, when the connection is over for any reason: the peer's close frame, ours, the peer
     * gone without one ({@code 1006}), or a broken frame.
     */
    void onClosed(int code, String reason);
}
