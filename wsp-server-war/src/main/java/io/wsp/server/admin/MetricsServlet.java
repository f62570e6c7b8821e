package io.wsp.server.admin;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wsp.server.auth.AuthCounters;
import io.wsp.server.cluster.PeerClient;
import io.wsp.server.metrics.TrafficStats;
import io.wsp.server.registry.AgentRegistry;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code /metrics} for Prometheus and compatible scrapers, written with the Prometheus client
 * library the WAR carries, so it works on any Jakarta EE 10 container. The Prometheus text format
 * (0.0.4) unless the scraper's {@code Accept} asks for OpenMetrics. Behind {@link AdminKeyFilter}.
 */
@WebServlet(urlPatterns = "/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient AgentRegistry registry;

    @Inject
    transient TrafficStats traffic;

    @Inject
    transient AuthCounters auth;

    @Inject
    transient ServerInfo server;

    @Inject
    transient PeerClient peers;

    /** Set in {@link #init()}, which the container runs before any request, and never changed after. */
    private transient PrometheusRegistry metrics;
    private transient ExpositionFormats formats;

    @Override
    public void init() {
        metrics = ServerMetrics.registry(server, registry::status, registry::waiting, traffic, auth, registry::cluster,
                peers::forwarded, peers::failed);
        formats = ExpositionFormats.init();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(request.getHeader("Accept"));
        if (!writer.isAvailable()) {
            // Protobuf needs a module the WAR does not carry; Prometheus lists the text formats after it.
            writer = formats.getPrometheusTextFormatWriter();
        }
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        writer.write(response.getOutputStream(), metrics.scrape());
    }
}
