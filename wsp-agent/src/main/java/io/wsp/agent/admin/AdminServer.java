package io.wsp.agent.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wsp.agent.forward.Traffic;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's optional local HTTP port for probes and scrapers: {@code /health/live},
 * {@code /health/ready} (200 while at least one server connection is open, else 503) and
 * {@code /metrics} (Prometheus text). GET only; no secrets are served, but bind it to a
 * private address, as it tells who the agent talks to.
 */
public final class AdminServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds and serves at once; port 0 picks a free one (see {@link #port()}). */
    public static AdminServer start(InetSocketAddress address, Traffic traffic, Supplier<Map<URI, Integer>> connections)
            throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        // One thread: probes and scrapes are rare and answered from counters in microseconds.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wsp-agent-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health/live", ex -> answer(ex, 200, "application/json", "{\"status\":\"UP\"}"));
        server.createContext("/health/ready", ex -> {
            int open = connections.get().values().stream().mapToInt(Integer::intValue).sum();
            answer(ex, open > 0 ? 200 : 503, "application/json",
                    "{\"status\":\"" + (open > 0 ? "UP" : "DOWN") + "\",\"connections\":" + open + "}");
        });
        server.createContext("/metrics", ex -> answer(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                AgentMetrics.write(traffic, connections.get())));
        server.start();
        AdminServer admin = new AdminServer(server, executor);
        LOG.log(System.Logger.Level.INFO, "admin port listening on {0}:{1}",
                server.getAddress().getAddress().getHostAddress(), String.valueOf(admin.port()));
        return admin;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, int status, String contentType, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
