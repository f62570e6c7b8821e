package io.wsp.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The deployed wsp server as a test talks to it: URLs, the caller's client, and /status polling
 * (with the deployment's admin key, when it has one).
 */
final class WspServer {

    static final String SECRET = "it-secret";

    private final URI base;
    private final String adminKey;
    /**
     * HTTP/1.1: the JDK's default offers an upgrade to cleartext HTTP/2, and Grizzly's HTTP/2 may
     * deadlock a listener when such a connection closes (README, Errors). Tests of HTTP/2 callers
     * make clients of their own.
     */
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    WspServer(URL deployment) {
        this(deployment, null);
    }

    /** {@code adminKey}: sent as a Bearer token to /status and /metrics; null for none. */
    WspServer(URL deployment, String adminKey) {
        this.base = URI.create(deployment.toString().endsWith("/") ? deployment.toString() : deployment + "/");
        this.adminKey = adminKey;
    }

    /** {@code path} under the deployment, e.g. {@code health/ready}. */
    URI uri(String path) {
        return base.resolve(path);
    }

    /** GET of an admin page (status, metrics) with the admin key, when there is one. */
    HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        HttpRequest.Builder get = HttpRequest.newBuilder(uri(path));
        if (adminKey != null) {
            get.header("Authorization", "Bearer " + adminKey);
        }
        return send(get.build());
    }

    String registerUrl() {
        return "ws" + base.toString().substring("http".length()) + "register";
    }

    URI requestUri() {
        return base.resolve("request");
    }

    HttpRequest.Builder request(String destination) {
        return HttpRequest.newBuilder(requestUri()).timeout(Duration.ofSeconds(60))
                .header("X-PROXY-DESTINATION", destination);
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    JsonObject status() throws IOException, InterruptedException {
        HttpResponse<String> r = admin("status");
        try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
            return reader.readObject();
        }
    }

    Optional<JsonObject> agent(String id) throws IOException, InterruptedException {
        return status().getJsonArray("agents").stream().map(JsonValue::asJsonObject)
                .filter(a -> a.getString("id").equals(id)).findFirst();
    }

    /** Polls /status until the condition holds: state observed, not time guessed. */
    void awaitStatus(String what, Predicate<JsonObject> condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = status();
            } catch (JsonParsingException notWsp) {
                // A container page instead of wsp's (a server still booting): not there yet.
                last = null;
            }
            if (last != null && condition.test(last)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("status never showed " + what + "; last: " + last);
    }

    void awaitIdle(String agentId, int idle) throws IOException, InterruptedException {
        awaitStatus("agent " + agentId + " with " + idle + " idle connections",
                s -> s.getJsonArray("agents").stream().map(JsonValue::asJsonObject)
                        .anyMatch(a -> a.getString("id").equals(agentId) && a.getInt("idle") >= idle));
    }

    void awaitGone(String agentId) throws IOException, InterruptedException {
        awaitStatus("agent " + agentId + " gone", s -> s.getJsonArray("agents").stream().map(JsonValue::asJsonObject)
                .noneMatch(a -> a.getString("id").equals(agentId)));
    }

    void awaitNoAgents() throws IOException, InterruptedException {
        awaitStatus("no agents", s -> s.getJsonArray("agents").isEmpty());
    }
}
