package io.wsp.protocol.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What both ends do with the frames a {@link FrameReader} finds: messages go to the owner until
 * our close frame is out, pings are answered through the {@link FrameSender}, and the peer's close
 * is answered (unless it answers ours) before the connection is ended.
 */
public final class PeerFrames implements FrameHandler {

    /** Ends the connection once the closing handshake is complete on our side. */
    public interface Ending {
        /** {@code code} and {@code reason}: ours when the peer answered our close, else the peer's. */
        void closed(int code, String reason);
    }

    private static final System.Logger LOG = System.getLogger(PeerFrames.class.getName());

    private final FrameSender sender;
    private final long closeWaitMillis;
    private final MessageListener listener;
    private final Ending ending;

    /** @param closeWaitMillis how long our answer to the peer's close may wait for a sender */
    public PeerFrames(FrameSender sender, long closeWaitMillis, MessageListener listener, Ending ending) {
        this.sender = sender;
        this.closeWaitMillis = closeWaitMillis;
        this.listener = listener;
        this.ending = ending;
    }

    @Override
    public void onText(String message) {
        if (!sender.closeSent()) {
            listener.onText(message);
        }
    }

    @Override
    public void onBinary(ByteBuffer chunk, boolean last) {
        if (!sender.closeSent()) {
            listener.onBinary(chunk, last);
        }
    }

    @Override
    public void onPing(ByteBuffer payload) {
        sender.pong(payload);
    }

    @Override
    public void onPong(ByteBuffer payload) {
        listener.onPong();
    }

    @Override
    public void onClose(int code, String reason) {
        int endCode = code;
        String endReason = reason;
        try {
            if (!sender.close(code == CloseCodes.NO_STATUS ? CloseCodes.NORMAL : code, "", closeWaitMillis)) {
                endCode = sender.sentCode();
                endReason = sender.sentReason();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "answering a close failed: {0}", e.toString());
        }
        ending.closed(endCode, endReason);
    }
}
