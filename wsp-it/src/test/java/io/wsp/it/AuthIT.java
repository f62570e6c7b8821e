package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.config.AgentConfig;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
 * Who may register and who may call, on the real WAR deployed with its own settings
 * ({@code WEB-INF/classes/wsp.yaml}): per-agent keys next to the shared secret of arquillian.xml, and
 * caller keys for {@code /request}. A class of its own because the settings are per deployment.
 */
@ExtendWith(ArquillianExtension.class)
class AuthIT {

    private static final String CONFIG = """
            agents:
              - id: a1
                key: a1-key
              - id: a2
                keySha256: "%s"
            callers:
              - name: full
                key: full-key
              - name: only-a1
                key: only-a1-key
                agents: [a1]
              - name: status-only
                key: status-only-key
                whitelist:
                  - url: "/status/"
            """.formatted(sha256Hex("a2-key"));

    private static InternalApi api;

    @ArquillianResource
    private URL deployment;

    private WspServer wsp;
    private final TestAgents agents = new TestAgents();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.wspWithConfig(CONFIG);
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
        wsp = new WspServer(deployment);
    }

    @AfterEach
    void stopAgents() throws Exception {
        agents.closeAll(wsp);
    }

    private Agent start(String id, String key) {
        return agents.start(AgentConfig.builder().id(id).server(wsp.registerUrl()).secretKey(key).allowCidr("127.0.0.1")
                .poolIdleSize(1).poolMaxSize(1).build());
    }

    private void agent(String id, String key) throws Exception {
        start(id, key);
        wsp.awaitIdle(id, 1);
    }

    private HttpResponse<String> call(String path, String header, String value) throws Exception {
        return wsp.send(wsp.request(api.url(path)).header(header, value).build());
    }

    private JsonObject security() throws Exception {
        return wsp.status().getJsonObject("security");
    }

    @Test
    void aMissingOrUnknownCallerKeyIs401ProblemJsonAndCounted() throws Exception {
        agent("a1", "a1-key");
        long before = security().getJsonNumber("unauthenticatedCalls").longValue();
        List<HttpResponse<String>> refused = List.of(
                wsp.send(wsp.request(api.url("/echo")).build()),
                call("/echo", "Authorization", "Bearer not-a-key"),
                call("/echo", "X-API-Key", "not-a-key"),
                call("/echo", "Authorization", "Basic ZnVsbC1rZXk6"));
        for (HttpResponse<String> r : refused) {
            assertEquals(401, r.statusCode());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("Bearer realm=\"wsp\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertTrue(r.body().contains("\"status\":401"), r.body());
            assertTrue(r.headers().firstValue("X-Echo-Method").isEmpty(), "never reached the internal API");
        }
        assertEquals(before + refused.size(), security().getJsonNumber("unauthenticatedCalls").longValue());
    }

    @Test
    void bearerAndXApiKeyBothWorkAndTheInternalApiSeesNeither() throws Exception {
        agent("a1", "a1-key");
        HttpResponse<String> bearer = wsp.send(wsp.request(api.url("/echo")).header("Authorization", "Bearer full-key")
                .header("X-SECRET-KEY", "it-secret").build());
        assertEquals(200, bearer.statusCode());
        assertTrue(bearer.headers().firstValue("X-Echo-Authorization").isEmpty(), "the wsp key is not forwarded");
        assertTrue(bearer.headers().firstValue("X-Echo-X-secret-key").isEmpty(), "nor the agents' secret");

        HttpResponse<String> apiKey = wsp.send(wsp.request(api.url("/echo")).header("X-API-Key", "full-key")
                .header("Authorization", "Basic dXNlcjpwdw==").build());
        assertEquals(200, apiKey.statusCode());
        assertTrue(apiKey.headers().firstValue("X-Echo-X-api-key").isEmpty(), "the wsp key is not forwarded");
        assertEquals("Basic dXNlcjpwdw==", apiKey.headers().firstValue("X-Echo-Authorization").orElseThrow(),
                "the caller's own Authorization is, when the wsp key came as X-API-Key");
    }

    @Test
    void aKeyLimitedToAnAgentIs403ForAnotherAndGoesToItsOwnByDefault() throws Exception {
        agent("a2", "a2-key");
        long before = security().getJsonNumber("forbiddenCalls").longValue();
        HttpResponse<String> other = wsp.send(wsp.request(api.url("/echo")).header("X-API-Key", "only-a1-key")
                .header("X-PROXY-AGENT", "a2").build());
        assertEquals(403, other.statusCode());
        assertEquals("application/problem+json", other.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(other.body().contains("may not use agent 'a2'"), other.body());
        assertEquals(before + 1, security().getJsonNumber("forbiddenCalls").longValue());
        HttpResponse<String> unnamed = call("/echo", "X-API-Key", "only-a1-key");
        assertEquals(503, unnamed.statusCode(), "not sent to a2, the only agent connected");
        assertTrue(unnamed.body().contains("'a1'"), unnamed.body());

        agent("a1", "a1-key");
        assertEquals(200, call("/echo", "X-API-Key", "only-a1-key").statusCode());
        assertEquals(200, wsp.send(wsp.request(api.url("/echo")).header("X-API-Key", "only-a1-key")
                .header("X-PROXY-AGENT", "a1").build()).statusCode());
        assertEquals(200, wsp.send(wsp.request(api.url("/echo")).header("X-API-Key", "full-key")
                .header("X-PROXY-AGENT", "a2").build()).statusCode(), "an unlimited key may use any agent");
    }

    @Test
    void aKeyLimitedByDestinationRulesIs403Elsewhere() throws Exception {
        agent("a1", "a1-key");
        assertEquals(204, call("/status/204", "X-API-Key", "status-only-key").statusCode());
        HttpResponse<String> refused = call("/echo", "X-API-Key", "status-only-key");
        assertEquals(403, refused.statusCode());
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(refused.body().contains("whitelist"), refused.body());
        assertEquals(200, call("/echo", "X-API-Key", "full-key").statusCode());
    }

    @Test
    void anAgentRegistersOnlyUnderTheIdItsKeyBelongsTo() throws Exception {
        long before = security().getJsonNumber("refusedRegistrations").longValue();
        start("a2", "a1-key");
        start("a1", "it-secret");
        agent("a1", "a1-key");
        agent("other", "it-secret");
        wsp.awaitStatus("both refused greetings counted",
                s -> s.getJsonObject("security").getJsonNumber("refusedRegistrations").longValue() >= before + 2);
        assertTrue(wsp.agent("a2").isEmpty(), "a1's key does not register a2");
        assertEquals(1, wsp.agent("a1").orElseThrow().getInt("total"), "the shared secret does not register a1");
    }

    @Test
    void aKeyOfNoAgentIs401BeforeTheUpgradeAndCounted() throws Exception {
        long before = security().getJsonNumber("refusedRegistrations").longValue();
        for (String key : List.of("wrong", "")) {
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
            if (!key.isEmpty()) {
                builder.header("X-SECRET-KEY", key);
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> builder
                    .buildAsync(URI.create(wsp.registerUrl()), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS));
            WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(401, refused.getResponse().statusCode());
        }
        assertEquals(before + 2, security().getJsonNumber("refusedRegistrations").longValue());
    }

    @Test
    void aKeyAnnouncedForAnotherAgentIs401BeforeTheUpgrade() throws Exception {
        long before = security().getJsonNumber("refusedRegistrations").longValue();
        ExecutionException e = assertThrows(ExecutionException.class, () -> HttpClient.newHttpClient().newWebSocketBuilder()
                .header("X-SECRET-KEY", "a1-key").header("X-PROXY-AGENT-ID", "a2")
                .buildAsync(URI.create(wsp.registerUrl()), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS));
        assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, e.getCause()).getResponse().statusCode());
        assertEquals(before + 1, security().getJsonNumber("refusedRegistrations").longValue());
        WebSocket own = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("X-SECRET-KEY", "a1-key").header("X-PROXY-AGENT-ID", "a1")
                .buildAsync(URI.create(wsp.registerUrl()), new WebSocket.Listener() { }).get(30, TimeUnit.SECONDS);
        own.abort();
    }

    @Test
    void statusShowsHowCallersAndAgentsAreAuthenticated() throws Exception {
        JsonObject security = security();
        assertEquals("required", security.getString("callerAuth"));
        assertEquals(3, security.getInt("callerKeys"));
        assertTrue(security.getBoolean("agentAuth"));
        assertTrue(security.getBoolean("sharedAgentKey"));
        assertEquals(2, security.getInt("agentKeys"));
    }

    private static String sha256Hex(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
