package io.wsp.agent.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wsp.agent.forward.Traffic;
import java.io.ByteArrayOutputStream;
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
 * {@code /metrics} (the Prometheus text format 0.0.4, or OpenMetrics when the scraper's
 * {@code Accept} asks for it). GET only; no secrets are served, but bind it to a private address,
 * as it tells who the agent talks to.
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
        server.createContext("/health/live", ex -> answer(ex, 200, "application/json", json("{\"status\":\"UP\"}")));
        server.createContext("/health/ready", ex -> {
            int open = connections.get().values().stream().mapToInt(Integer::intValue).sum();
            answer(ex, open > 0 ? 200 : 503, "application/json",
                    json("{\"status\":\"" + (open > 0 ? "UP" : "DOWN") + "\",\"connections\":" + open + "}"));
        });
        PrometheusRegistry metrics = AgentMetrics.registry(traffic, connections);
        ExpositionFormats formats = ExpositionFormats.init();
        server.createContext("/metrics", ex -> {
            ExpositionFormatWriter writer = formats.findWriter(ex.getRequestHeaders().getFirst("Accept"));
            if (!writer.isAvailable()) {
                // Protobuf needs a module the agent does not carry; Prometheus lists the text formats after it.
                writer = formats.getPrometheusTextFormatWriter();
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            writer.write(body, metrics.scrape());
            answer(ex, 200, writer.getContentType(), body.toByteArray());
        });
        server.start();
        AdminServer admin = new AdminServer(server, executor);
        LOG.log(System.Logger.Level.INFO, "admin port listening on {0}:{1}",
                server.getAddress().getAddress().getHostAddress(), String.valueOf(admin.port()));
        return admin;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
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
