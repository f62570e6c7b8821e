package io.wsp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The balanced address agents dial in production, as small as a test needs: each connection goes
 * to the first backend that accepts it, in list order, so connections land on the first node while
 * it lives and fail over to the next once it is gone, as behind a load balancer with health checks.
 * Bytes are copied both ways untouched (WebSocket upgrades included).
 */
final class TcpBalancer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Integer> backends;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    TcpBalancer(List<Integer> backendPorts) throws IOException {
        this.backends = List.copyOf(backendPorts);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "balancer-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> connect(client), "balancer-connect");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        for (int port : backends) {
            Socket backend = new Socket();
            try {
                backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            } catch (IOException refused) {
                closeQuietly(backend);
                continue;
            }
            open.add(client);
            open.add(backend);
            pipe(client, backend);
            pipe(backend, client);
            return;
        }
        closeQuietly(client);
    }

    /** One direction; when either side ends, both sockets are closed, as a proxy drops a broken pair. */
    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException ended) {
                // Either side went away: the pair ends below.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "balancer-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // Closing only.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(this::closeQuietly);
    }
}
