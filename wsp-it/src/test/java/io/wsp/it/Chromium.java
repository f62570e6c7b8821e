package io.wsp.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium} package, which {@code .ci/run} installs)
 * driven over the Chrome DevTools Protocol with the JDK's own WebSocket client: no driver, no npm.
 * One page; JavaScript runs as in any browser, so a test sees what a person would.
 */
final class Chromium implements AutoCloseable {

    /** Where Debian installs it; {@code -Dwsp.chromium=PATH} names another. */
    private static final String DEFAULT_BINARY = "/usr/bin/chromium";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final String session;

    private Chromium(Process process, Path profile, String devtoolsUrl) throws Exception {
        this.process = process;
        this.profile = profile;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(devtoolsUrl), new Listener()).get(30, TimeUnit.SECONDS);
        String target = call("Target.createTarget", null, Json.createObjectBuilder().add("url", "about:blank"))
                .getString("targetId");
        session = call("Target.attachToTarget", null,
                Json.createObjectBuilder().add("targetId", target).add("flatten", true)).getString("sessionId");
    }

    /** Starts Chromium, or fails the test saying how to install it: the CI installs it, so absence is an error. */
    static Chromium start(Path workDir) throws Exception {
        String binary = System.getProperty("wsp.chromium", DEFAULT_BINARY);
        if (!Files.isExecutable(Path.of(binary))) {
            throw new AssertionError("no Chromium at " + binary + ": install Debian's package (apt-get install chromium,"
                    + " as .ci/run does) or name one with -Dwsp.chromium=PATH");
        }
        Files.createDirectories(workDir);
        Path profile = Files.createTempDirectory(workDir, "chromium-profile");
        Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new Chromium(process, profile, devtoolsUrl(process));
    }

    /** Chromium prints where its DevTools endpoint listens on stderr; the rest of stderr is drained. */
    private static String devtoolsUrl(Process process) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = OwnThread.supply(() -> {
            try {
                String line;
                while ((line = err.readLine()) != null) {
                    int at = line.indexOf("ws://");
                    if (line.startsWith("DevTools listening on") && at >= 0) {
                        return line.substring(at).trim();
                    }
                }
                throw new IllegalStateException("Chromium exited without a DevTools endpoint");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        String found = url.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // Chromium is gone; nothing left to drain.
            }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        return found;
    }

    void viewport(int width, int height) throws Exception {
        call("Emulation.setDeviceMetricsOverride", session, Json.createObjectBuilder().add("width", width)
                .add("height", height).add("deviceScaleFactor", 1).add("mobile", false));
    }

    void navigate(URI url) throws Exception {
        call("Page.navigate", session, Json.createObjectBuilder().add("url", url.toString()));
    }

    /** Runs {@code expression} in the page and gives its value as JSON (null when undefined). */
    JsonValue evaluate(String expression) throws Exception {
        JsonObject result = call("Runtime.evaluate", session,
                Json.createObjectBuilder().add("expression", expression).add("returnByValue", true));
        if (result.containsKey("exceptionDetails")) {
            throw new AssertionError("page script failed: " + result.getJsonObject("exceptionDetails"));
        }
        return result.getJsonObject("result").getOrDefault("value", JsonValue.NULL);
    }

    /** Re-evaluates {@code condition} in the page until it is true: the page's state, not time, decides. */
    void await(String what, String condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            // A page still loading may not have the elements yet: that is "not yet", not a failure.
            if (evaluate("(() => { try { return Boolean(" + condition + "); } catch (e) { return false; } })()")
                    == JsonValue.TRUE) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the page never showed " + what + "; its text: " + evaluate("document.body.innerText"));
    }

    void screenshot(Path png) throws Exception {
        String data = call("Page.captureScreenshot", session, Json.createObjectBuilder().add("format", "png"))
                .getString("data");
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(data));
    }

    private JsonObject call(String method, String sessionId, JsonObjectBuilder params) throws Exception {
        int id = ids.incrementAndGet();
        JsonObjectBuilder message = Json.createObjectBuilder().add("id", id).add("method", method).add("params", params);
        if (sessionId != null) {
            message.add("sessionId", sessionId);
        }
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(message.build().toString(), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        JsonObject answer = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (answer.containsKey("error")) {
            throw new AssertionError(method + " failed: " + answer.getJsonObject("error"));
        }
        return answer.getJsonObject("result");
    }

    /** Hands replies to their callers; events (messages without an id) are not needed. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try (JsonReader reader = Json.createReader(new StringReader(partial.toString()))) {
                    JsonObject message = reader.readObject();
                    if (message.containsKey("id")) {
                        CompletableFuture<JsonObject> reply = pending.remove(message.getInt("id"));
                        if (reply != null) {
                            reply.complete(message);
                        }
                    }
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
