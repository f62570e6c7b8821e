package io.wsp.server.agent;

import io.wsp.protocol.CloseReasons;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link WebSocket} on a Jakarta WebSocket {@link Session}.
 *
 * <p>Threads: the exchange carrying a request sends (its head, then its body's fragments), the
 * registry's timer pings, and any thread may close.
 */
final class SessionWebSocket implements WebSocket {

    private static final System.Logger LOG = System.getLogger(SessionWebSocket.class.getName());

    private final Session session;
    /**
     * Admits one sender at a time: {@code RemoteEndpoint.Basic} may refuse a send while another is
     * under way. A ping only tries it: a send under way shows the agent is reading anyway, and the
     * timer thread must never wait behind a peer that reads slowly. Closing does not take it, so a
     * close gets through while a send is blocked on a peer that stopped reading.
     */
    private final ReentrantLock sending = new ReentrantLock();
    /** A close was started here; the session may report open until its close frame is out. */
    private volatile boolean closing;

    SessionWebSocket(Session session) {
        this.session = session;
    }

    @Override
    public void sendText(String message) throws IOException {
        sending.lock();
        try {
            session.getBasicRemote().sendText(message);
        } finally {
            sending.unlock();
        }
    }

    @Override
    public void sendBinary(ByteBuffer data, boolean last) throws IOException {
        sending.lock();
        try {
            session.getBasicRemote().sendBinary(data, last);
        } finally {
            sending.unlock();
        }
    }

    @Override
    public boolean ping() {
        if (!sending.tryLock()) {
            return true;
        }
        try {
            session.getBasicRemote().sendPing(ByteBuffer.allocate(0));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "ping failed: {0}", e.toString());
            return false;
        } finally {
            sending.unlock();
        }
    }

    @Override
    public void close(int code, String reason) {
        closing = true;
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), CloseReasons.fit(reason)));
        } catch (IOException | RuntimeException e) {
            // The connection is broken already; the endpoint hears its end all the same.
            LOG.log(System.Logger.Level.DEBUG, "close {0} failed: {1}", String.valueOf(code), e.toString());
        }
    }

    @Override
    public boolean isOpen() {
        return !closing && session.isOpen();
    }
}
