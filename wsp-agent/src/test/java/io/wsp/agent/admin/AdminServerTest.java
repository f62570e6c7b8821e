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
            "wsp_agent_connections{server=\"ws://a/register\"} 3.0",
            "wsp_agent_requests_in_flight 1.0",
            "wsp_agent_responses_total{class=\"2xx\"} 3.0",
            "wsp_agent_responses_total{class=\"3xx\"} 0.0",
            "wsp_agent_responses_total{class=\"4xx\"} 1.0",
            "wsp_agent_responses_total{class=\"5xx\"} 0.0",
            "wsp_agent_responses_total{class=\"agent_error\"} 1.0",
            "wsp_agent_response_bytes_total 115.0",
            "wsp_agent_aborted_total 1.0",
        }) {
            assertTrue(metrics.lines().anyMatch(line::equals), line + " missing in:\n" + metrics);
        }
    }

    @Test
    void metricsKeepTheirNamesTypesAndHelp() throws Exception {
        connections.put(URI.create("ws://a/register"), 1);
        String metrics = get("/metrics").body();
        for (String line : new String[] {
            "# HELP wsp_agent_connections Open WebSocket connections, per wsp server.",
            "# TYPE wsp_agent_connections gauge",
            "# HELP wsp_agent_requests_in_flight Requests being performed now.",
            "# TYPE wsp_agent_requests_in_flight gauge",
            "# HELP wsp_agent_responses_total Responses sent back, by status class (agent_error: the agent could not "
                    + "perform the request).",
            "# TYPE wsp_agent_responses_total counter",
            "# HELP wsp_agent_response_bytes_total Response body bytes sent back to servers.",
            "# TYPE wsp_agent_response_bytes_total counter",
            "# HELP wsp_agent_aborted_total Responses cut short after their head was sent.",
            "# TYPE wsp_agent_aborted_total counter",
        }) {
            assertTrue(metrics.lines().anyMatch(line::equals), line + " missing in:\n" + metrics);
        }
        assertEquals(5, metrics.lines().filter(l -> l.startsWith("# TYPE ")).count(), metrics);
    }

    @Test
    void aScraperAskingForOpenMetricsGetsIt() throws Exception {
        get("/health/live");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
                + "/metrics")).header("Accept", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;q=0.4")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(r.body().contains("\nwsp_agent_aborted_total 0.0\n"), r.body());
        assertTrue(r.body().endsWith("# EOF\n"), r.body());
    }

    @Test
    void aScraperAskingForProtobufGetsTextForWantOfTheModule() throws Exception {
        get("/health/live");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
                + "/metrics")).header("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited;q=0.5,text/plain;version=0.0.4;q=0.3").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(r.body().contains("\nwsp_agent_aborted_total 0.0\n"), r.body());
    }

    @Test
    void eachAgentCountsInARegistryOfItsOwn() throws Exception {
        Traffic other = new Traffic();
        TrafficProbe.respond(other, 200, 7);
        try (AdminServer second = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), other,
                Map::of)) {
            String mine = get("/metrics").body();
            String theirs = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port()
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(mine.contains("\nwsp_agent_response_bytes_total 0.0\n"), mine);
            assertTrue(theirs.contains("\nwsp_agent_response_bytes_total 7.0\n"), theirs);
        }
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        get("/health/live");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
                + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }
}
