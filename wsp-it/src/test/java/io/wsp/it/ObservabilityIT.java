package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What operators see, on the real WAR deployed with an admin key: /status and /metrics after known
 * traffic, the health probes as agents come and go, and the dashboard in a real headless Chromium.
 * Each test uses agent ids of its own, so its counters are its own.
 */
@ExtendWith(ArquillianExtension.class)
class ObservabilityIT {

    private static final String ADMIN_KEY = "it-admin-key";
    /** "status 200\n": what the internal API's /status/{code} answers. */
    private static final int STATUS_BODY = 11;

    private static InternalApi api;

    @ArquillianResource
    private URL deployment;

    private WspServer wsp;
    private final TestAgents agents = new TestAgents();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.wspWithConfig("adminKey: " + ADMIN_KEY + "\n");
    }

    @BeforeAll
    static void startInternalApi() throws IOException {
        api = new InternalApi();
    }

    @AfterAll
    static void stopInternalApi() {
        api.close();
    }

    @BeforeEach
    void connect() {
        wsp = new WspServer(deployment, ADMIN_KEY);
    }

    @AfterEach
    void stopAgents() throws Exception {
        agents.closeAll(wsp);
    }

    private Agent agent(String id, int poolIdle, int poolMax) throws Exception {
        return agents.connected(wsp, id, poolIdle, poolMax);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(wsp.uri(path));
        if (headers.length > 0) {
            r.headers(headers);
        }
        return wsp.send(r.build());
    }

    /** Sends {@code count} GETs of /status/{code} through {@code agent} and checks each status. */
    private void traffic(String agent, int code, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            assertEquals(code, wsp.send(wsp.request(api.url("/status/" + code)).header("X-PROXY-AGENT", agent).build())
                    .statusCode());
        }
    }

    /** Counters are written as requests end, a moment after the caller has its answer: wait for them. */
    private JsonObject awaitRequests(String agent, int requests) throws Exception {
        wsp.awaitStatus(agent + " with " + requests + " requests ended", s -> s.getJsonArray("agents").stream()
                .map(JsonValue::asJsonObject).anyMatch(a -> a.getString("id").equals(agent)
                        && a.getJsonNumber("requests").longValue() == requests && a.getJsonNumber("inFlight").longValue() == 0));
        return wsp.agent(agent).orElseThrow();
    }

    @Test
    void statusAndMetricsNeedTheAdminKeyWhileProbesAndTheDashboardPageDoNot() throws Exception {
        long refusedBefore = wsp.status().getJsonObject("security").getJsonNumber("refusedAdminCalls").longValue();
        for (String page : List.of("status", "metrics")) {
            HttpResponse<String> none = get(page);
            assertEquals(401, none.statusCode(), page);
            assertEquals("Bearer realm=\"wsp-admin\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertEquals(401, get(page, "Authorization", "Bearer wrong").statusCode(), page);
            assertEquals(200, get(page, "X-API-Key", ADMIN_KEY).statusCode(), page);
            assertEquals(200, get(page, "Authorization", "Bearer " + ADMIN_KEY).statusCode(), page);
        }
        assertEquals(200, get("health/live").statusCode());
        HttpResponse<String> page = get("dashboard/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertEquals(List.of("DENY"), page.headers().allValues("X-Frame-Options"), "the page with the key form is not framed");
        assertEquals(List.of("frame-ancestors 'none'"), page.headers().allValues("Content-Security-Policy"));
        HttpResponse<String> root = get("");
        assertEquals(302, root.statusCode());
        assertTrue(root.headers().firstValue("Location").orElseThrow().endsWith("/dashboard/"));
        JsonObject security = wsp.status().getJsonObject("security");
        assertTrue(security.getBoolean("adminKey"));
        assertEquals(refusedBefore + 4, security.getJsonNumber("refusedAdminCalls").longValue());
    }

    @Test
    void readinessGoesFrom503To200AndBackAsAnAgentComesAndGoes() throws Exception {
        wsp.awaitNoAgents();
        assertEquals(200, get("health/live").statusCode());
        HttpResponse<String> down = get("health/ready");
        assertEquals(503, down.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"agents\":0}", down.body());
        Agent agent = agent("ready", 1, 1);
        HttpResponse<String> up = get("health/ready");
        assertEquals(200, up.statusCode());
        assertEquals("{\"status\":\"UP\",\"agents\":1}", up.body());
        agent.close();
        wsp.awaitNoAgents();
        assertEquals(503, get("health/ready").statusCode());
        assertEquals(200, get("health/live").statusCode());
    }

    @Test
    void statusShowsVersionUptimeAndEachAgentsConnectionsAndTraffic() throws Exception {
        Instant before = Instant.now();
        agent("obs-status", 2, 4);
        traffic("obs-status", 200, 2);
        HttpResponse<String> echo = wsp.send(wsp.request(api.url("/echo")).header("X-PROXY-AGENT", "obs-status")
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build());
        assertEquals("hello", echo.body());
        traffic("obs-status", 404, 1);
        // Port 1 refuses: the agent cannot perform the request, wsp answers 502 and counts an error.
        assertEquals(502, wsp.send(wsp.request("http://127.0.0.1:1/").header("X-PROXY-AGENT", "obs-status").build())
                .statusCode());

        JsonObject a = awaitRequests("obs-status", 5);
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, a.getJsonObject("labels"));
        assertTrue(InetAddress.getByName(a.getString("remoteAddress")).isLoopbackAddress(), a.toString());
        assertFalse(Instant.parse(a.getString("connectedSince")).isBefore(before.minusSeconds(1)), a.toString());
        assertTrue(a.getInt("idle") >= 2, a.toString());
        assertEquals(0, a.getInt("busy"));
        assertEquals("{\"1xx\":0,\"2xx\":3,\"3xx\":0,\"4xx\":1,\"5xx\":1}", a.getJsonObject("statuses").toString());
        assertEquals(5, a.getJsonNumber("bytesIn").longValue(), "the echo's request body");
        assertEquals(3 * STATUS_BODY + 5, a.getJsonNumber("bytesOut").longValue(), "three API bodies and the echo");
        assertEquals(1, a.getJsonNumber("errors").longValue());
        assertTrue(a.getString("lastError").startsWith("Agent could not perform the request"), a.toString());
        Instant.parse(a.getString("lastErrorAt"));

        JsonObject status = wsp.status();
        assertTrue(status.getString("version").matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), status.getString("version"));
        assertTrue(status.getJsonNumber("uptimeSeconds").longValue() >= 0);
        assertTrue(Instant.parse(status.getString("startedAt")).isBefore(Instant.now()));
        JsonObject totals = status.getJsonObject("totals");
        assertEquals(1, totals.getInt("agents"));
        assertEquals(0, totals.getInt("waiting"));
        assertTrue(totals.getJsonNumber("requests").longValue() >= 5, totals.toString());
    }

    /**
     * The container's WebSocket implementation and what it cannot do (wsp-it/pom.xml names the
     * container): nothing on Payara's Tyrus, the three Undertow limits on WildFly.
     */
    @Test
    void statusNamesTheWebSocketImplementationAndWhatItCannotDo() throws Exception {
        JsonObject webSocket = wsp.status().getJsonObject("webSocket");
        String implementation = webSocket.getString("implementation");
        List<String> limits = webSocket.getJsonArray("limits").getValuesAs(JsonString::getString);
        switch (System.getProperty("arquillian.launch")) {
            case "payara-micro" -> {
                assertTrue(implementation.startsWith("org.glassfish.tyrus."), implementation);
                assertEquals(List.of(), limits);
            }
            case "wildfly" -> {
                assertTrue(implementation.startsWith("io.undertow."), implementation);
                assertEquals(List.of("no backpressure", "partial messages arrive in 16 KiB pieces",
                                "no close frame during an unfinished message"),
                        limits.stream().map(l -> l.substring(0, l.indexOf(':'))).toList());
            }
            default -> throw new AssertionError("unknown container " + System.getProperty("arquillian.launch"));
        }
    }

    @Test
    void metricsCountKnownTrafficExactly() throws Exception {
        agent("obs-metrics", 2, 4);
        traffic("obs-metrics", 200, 3);
        traffic("obs-metrics", 404, 1);
        awaitRequests("obs-metrics", 4);

        HttpResponse<String> r = wsp.admin("metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        String text = r.body();
        for (String line : List.of(
                "# TYPE wsp_requests_total counter",
                "wsp_requests_total{agent=\"obs-metrics\",status=\"1xx\"} 0.0",
                "wsp_requests_total{agent=\"obs-metrics\",status=\"2xx\"} 3.0",
                "wsp_requests_total{agent=\"obs-metrics\",status=\"4xx\"} 1.0",
                "wsp_requests_total{agent=\"obs-metrics\",status=\"5xx\"} 0.0",
                "wsp_request_errors_total{agent=\"obs-metrics\"} 0.0",
                "wsp_request_body_bytes_total{agent=\"obs-metrics\"} 0.0",
                "wsp_response_body_bytes_total{agent=\"obs-metrics\"} " + 4.0 * STATUS_BODY,
                "wsp_requests_in_flight{agent=\"obs-metrics\"} 0.0",
                "wsp_agents_connected 1.0",
                "wsp_agent_connections{agent=\"obs-metrics\",state=\"busy\"} 0.0",
                "wsp_requests_waiting 0.0",
                "# TYPE wsp_request_duration_seconds histogram",
                "# TYPE wsp_auth_failures_total counter")) {
            assertTrue(text.lines().anyMatch(line::equals), "no line '" + line + "' in\n" + text);
        }
        assertTrue(value(text, "wsp_agent_connections\\{agent=\"obs-metrics\",state=\"idle\"}") >= 2, text);
        assertTrue(value(text, "wsp_request_duration_seconds_count") >= 4, text);
        assertEquals(value(text, "wsp_request_duration_seconds_count"),
                value(text, "wsp_request_duration_seconds_bucket\\{le=\"\\+Inf\"}"), text);
        assertTrue(text.contains("wsp_build_info{version=\""), text);
    }

    @Test
    void metricsAnswerOpenMetricsToAScraperThatAsksForIt() throws Exception {
        HttpResponse<String> r = get("metrics", "Authorization", "Bearer " + ADMIN_KEY,
                "Accept", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4");
        assertEquals(200, r.statusCode());
        assertEquals("application/openmetrics-text;version=1.0.0;charset=utf-8",
                MediaTypes.compact(r.headers().firstValue("Content-Type").orElseThrow()));
        assertTrue(r.body().lines().anyMatch("# TYPE wsp_auth_failures counter"::equals), r.body());
        assertTrue(r.body().endsWith("# EOF\n"), r.body());
    }

    private static double value(String metrics, String sampleRegex) {
        Matcher m = Pattern.compile("(?m)^" + sampleRegex + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), "no sample " + sampleRegex);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theDashboardListsAnAgentAndUpdatesWhenASecondConnects() throws Exception {
        agent("dash-eu", 2, 4);
        traffic("dash-eu", 200, 3);
        try (Chromium browser = Chromium.start(Path.of("target", "chromium"))) {
            browser.viewport(1280, 400);
            browser.navigate(wsp.uri(""));
            // The server has an admin key: the page asks for it, as a person would type it.
            browser.await("the admin key form", "!document.getElementById('key-form').hidden");
            browser.evaluate("document.getElementById('admin-key').value = '" + ADMIN_KEY + "';"
                    + "document.getElementById('key-form').requestSubmit()");
            browser.await("a row for dash-eu", "document.querySelector('tr[data-agent=\"dash-eu\"]')");
            assertEquals(JsonValue.FALSE, browser.evaluate("Boolean(document.querySelector('tr[data-agent=\"dash-us\"]'))"));

            agent("dash-us", 3, 6);
            // The same page, not reloaded: only its polling can bring the second agent in.
            browser.await("a row for dash-us", "document.querySelector('tr[data-agent=\"dash-us\"]')");
            browser.await("both agents in the totals", "document.getElementById('t-agents').textContent === '2'");
            assertEquals("2", browser.evaluate("document.querySelectorAll('tr[data-agent]').length").toString());

            traffic("dash-us", 200, 2);
            traffic("dash-us", 503, 1);
            assertEquals(502, wsp.send(wsp.request("http://127.0.0.1:1/").header("X-PROXY-AGENT", "dash-us").build())
                    .statusCode());
            String usRow = "document.querySelector('tr[data-agent=\"dash-us\"]')";
            browser.await("dash-us with 4 requests", usRow + ".cells[5].textContent === '4'");
            browser.await("dash-us's last error", usRow + ".cells[9].textContent.startsWith('Agent could not perform')");
            Path png = Path.of("target", "dashboard.png");
            browser.screenshot(png);
            assertTrue(Files.size(png) > 10_000, "a screenshot of the page");
        }
    }
}
