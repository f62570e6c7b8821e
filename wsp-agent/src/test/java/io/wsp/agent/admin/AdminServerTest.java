package io.wsp.agent.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.forward.Traffic;
import io.wsp.agent.forward.TrafficProbe;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

    private final Traffic traffic = new Traffic();
    private final Map<URI, Integer> connections = new LinkedHashMap<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private AdminServer admin;

    private HttpResponse<String> get(String path) throws Exception {
        if (admin == null) {
            admin = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), traffic,
                    () -> Map.copyOf(connections));
        }
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void readyFollowsWhetherAnyServerConnectionIsOpen() throws Exception {
        connections.put(URI.create("ws://a/register"), 0);
        HttpResponse<String> down = get("/health/ready");
        assertEquals(503, down.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"connections\":0}", down.body());
        connections.put(URI.create("ws://b/register"), 2);
        assertEquals(200, get("/health/ready").statusCode());
        assertEquals("{\"status\":\"UP\"}", get("/health/live").body());
    }

    @Test
    void metricsCountResponsesByClassBytesAbortsAndConnections() throws Exception {
        connections.put(URI.create("ws://a/register"), 3);
        TrafficProbe.respond(traffic, 200, 100);
        TrafficProbe.respond(traffic, 204, 0);
        TrafficProbe.respond(traffic, 404, 10);
        TrafficProbe.respond(traffic, 527, 5);
        TrafficProbe.abortAfterHead(traffic, 200);
        TrafficProbe.startOnly(traffic);

        HttpResponse<String> r = get("/metrics");

        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        String metrics = r.body();
        for (String line : new String[] {
            "wsp_agent_connections{server=\"ws://a/register\"} 3",
            "wsp_agent_requests_in_flight 1",
            "wsp_agent_responses_total{class=\"2xx\"} 3",
            "wsp_agent_responses_total{class=\"3xx\"} 0",
            "wsp_agent_responses_total{class=\"4xx\"} 1",
            "wsp_agent_responses_total{class=\"5xx\"} 0",
            "wsp_agent_responses_total{class=\"agent_error\"} 1",
            "wsp_agent_response_bytes_total 115",
            "wsp_agent_aborted_total 1",
            "# TYPE wsp_agent_responses_total counter",
        }) {
            assertTrue(metrics.lines().anyMatch(line::equals), line + " missing in:\n" + metrics);
        }
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        get("/health/live");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
                + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", AgentMetrics.escape("a\\b\"c\nd"));
    }
}
