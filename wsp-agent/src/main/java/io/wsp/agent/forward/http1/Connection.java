package io.wsp.agent.forward.http1;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One TCP (or TLS) connection to a destination. The socket is a {@link SocketChannel}'s, so an idle
 * connection can be checked for a peer close without blocking.
 *
 * <p>Threads: one request writer uses {@link #out}, one response reader uses {@link #in}, at the
 * same time; {@link #close} may be called from any thread and wakes both.
 */
final class Connection {

    /** Read and write buffer per connection: fixed, so memory stays constant whatever the body size. */
    static final int BUFFER_SIZE = 32 * 1024;

    final Route route;
    final Http1Input in;
    final OutputStream out;
    private final SocketChannel channel;
    private final Socket socket;

    // Touched only by the pool, under its lock, and by the exchange that took the connection from it.
    /** True once the connection served a request: it may have been closed by the peer meanwhile. */
    boolean reused;
    long idleSinceNanos;

    private Connection(Route route, SocketChannel channel, Socket socket) throws IOException {
        this.route = route;
        this.channel = channel;
        this.socket = socket;
        this.in = new Http1Input(socket.getInputStream(), BUFFER_SIZE);
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_SIZE);
    }

    /**
     * Connects to the route's address, and for https completes the handshake with SNI and host
     * verification for the route's name.
     */
    static Connection open(Route route, Duration connectTimeout, SSLSocketFactory tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(route.address(), route.port());
        SocketChannel channel = SocketChannel.open();
        try {
            Socket plain = channel.socket();
            plain.setTcpNoDelay(true);
            try {
                plain.connect(address, (int) connectTimeout.toMillis());
            } catch (SocketTimeoutException e) {
                throw new HttpConnectTimeoutException("connect timed out");
            }
            if (!route.tls()) {
                return new Connection(route, channel, plain);
            }
            SSLSocket secure = (SSLSocket) tls.createSocket(plain, route.host(), route.port(), true);
            SSLParameters parameters = secure.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!isIpLiteral(route.host())) {
                parameters.setServerNames(List.of(new SNIHostName(route.host())));
            }
            secure.setSSLParameters(parameters);
            // A destination that accepts TCP but never answers the handshake fails like a connect.
            secure.setSoTimeout((int) connectTimeout.toMillis());
            try {
                secure.startHandshake();
            } catch (SocketTimeoutException e) {
                throw new SSLException("TLS handshake timed out", e);
            }
            secure.setSoTimeout(0);
            return new Connection(route, channel, secure);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * True when an idle connection cannot carry another request: the peer closed it, or sent bytes
     * nobody asked for. Never blocks.
     */
    boolean isStale() {
        if (in.hasBuffered()) {
            return true;
        }
        try {
            synchronized (channel.blockingLock()) {
                channel.configureBlocking(false);
                try {
                    // For TLS this reads a raw byte, but any byte on an idle connection already rules it out.
                    return channel.read(ByteBuffer.allocate(1)) != 0;
                } finally {
                    channel.configureBlocking(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the connection, waking any thread blocked on it. Idempotent. */
    void close() {
        try {
            // The channel first: closing a TLS socket may try to send close_notify and wait on a blocked writer.
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed with its channel.
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
