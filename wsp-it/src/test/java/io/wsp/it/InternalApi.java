package io.wsp.it;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server standing in for the internal API behind the agent, on an ephemeral loopback
 * port. Each path is one behaviour a test needs:
 * <ul>
 * <li>{@code /status/{code}}: answers that status with a short text body and {@code Server: internal-api}</li>
 * <li>{@code /echo}: answers 200 and streams the request body back as it reads it; the method,
 *     query and request headers come back as {@code X-Echo-Method}, {@code X-Echo-Query} and
 *     {@code X-Echo-<name>}</li>
 * <li>{@code /download?size=N[&chunked]}: N deterministic bytes ({@link TestData}), with a
 *     Content-Length unless {@code chunked}</li>
 * <li>{@code /upload}: reads the body, answers its byte count and sha256 as {@code <count> <hex>}</li>
 * <li>{@code /sse?events=N}: a text/event-stream that sends an event, then waits for the test to
 *     {@link #releaseNextEvent()} before sending the next, so a test sees whether each event
 *     arrived on its own</li>
 * <li>{@code /hold}: answers only after the test calls {@link #releaseHeld()}; with {@code ?gate=NAME},
 *     after {@link #open(String)} of that name instead</li>
 * <li>{@code /stall[?length=N][&gate=NAME]}: sends the head (Content-Length N, else chunked) and 1 KiB
 *     of the body, then nothing until released (as {@code /hold})</li>
 * <li>{@code /cut?length=N}: sends the head with Content-Length N and half the body, then closes
 *     the connection</li>
 * </ul>
 * {@code /upload} also reports, once it has read its first bytes, that an upload is under way
 * ({@link #awaitUploadStarted()}).
 */
public final class InternalApi implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BlockingQueue<Boolean> sseGate = new LinkedBlockingQueue<>();
    private final BlockingQueue<Boolean> holdGate = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> requestsHeld = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> brokenTransfers = new LinkedBlockingQueue<>();
    private final AtomicInteger requestsSeen = new AtomicInteger();
    private final AtomicLong downloadBytesSent = new AtomicLong();
    private final BlockingQueue<Boolean> uploadsStarted = new LinkedBlockingQueue<>();
    /** Named gates: a test that leaves one closed cannot hold up another test's requests. */
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

    public InternalApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/status/", counted(this::status));
        server.createContext("/echo", counted(this::echo));
        server.createContext("/download", counted(this::download));
        server.createContext("/upload", counted(this::upload));
        server.createContext("/sse", counted(this::sse));
        server.createContext("/hold", counted(this::hold));
        server.createContext("/stall", counted(this::stall));
        server.createContext("/cut", counted(this::cut));
        server.start();
    }

    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
    }

    /** The same URL by name: {@code localhost}, which resolves to the API's 127.0.0.1. */
    public String urlByName(String pathAndQuery) {
        return "http://localhost:" + server.getAddress().getPort() + pathAndQuery;
    }

    /** Requests that reached the API so far, whatever their path: a refused request never counts. */
    public int requestsSeen() {
        return requestsSeen.get();
    }

    /** Bytes of {@code /download} bodies written to the agent so far (the socket took them). */
    public long downloadBytesSent() {
        return downloadBytesSent.get();
    }

    public void releaseNextEvent() {
        sseGate.add(Boolean.TRUE);
    }

    public void releaseHeld() {
        holdGate.add(Boolean.TRUE);
    }

    /** Opens gate {@code name}: every request held on it answers. */
    public void open(String name) {
        gate(name).countDown();
    }

    /** Opens every gate, so no request stays held after its test. */
    public void openAllGates() {
        gates.values().forEach(CountDownLatch::countDown);
    }

    /** Waits until {@code /upload} has read the first bytes of a body. */
    public void awaitUploadStarted() throws InterruptedException {
        if (uploadsStarted.poll(30, TimeUnit.SECONDS) == null) {
            throw new AssertionError("no upload reached the internal API");
        }
    }

    /** Forgets transfers broken by earlier tests, so the next wait sees only new ones. */
    public void forgetBrokenTransfers() {
        brokenTransfers.clear();
    }

    /**
     * Forgets held requests and releases of earlier tests: a request of theirs that reached
     * {@code /hold} late would otherwise pass for this test's, and a spare release would answer
     * this test's first held request at once.
     */
    public void forgetHeldRequests() {
        requestsHeld.clear();
        holdGate.clear();
    }

    /**
     * Waits until a download or upload broke off on the API's side, which is how it sees a
     * cancelled internal call. Returns which one ("download" or "upload").
     */
    public String awaitBrokenTransfer() throws InterruptedException {
        String which = brokenTransfers.poll(30, TimeUnit.SECONDS);
        if (which == null) {
            throw new AssertionError("no transfer with the internal API was cut off");
        }
        return which;
    }

    /** Waits until a request reached {@code /hold}, so a test knows the connection is busy. */
    public void awaitHeldRequest() throws InterruptedException {
        if (requestsHeld.poll(30, TimeUnit.SECONDS) == null) {
            throw new AssertionError("no request reached /hold");
        }
    }

    private void status(HttpExchange ex) throws IOException {
        int code = Integer.parseInt(ex.getRequestURI().getPath().substring("/status/".length()));
        drain(ex);
        byte[] body = ("status " + code + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain");
        ex.getResponseHeaders().add("Server", "internal-api");
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private void echo(HttpExchange ex) throws IOException {
        Headers out = ex.getResponseHeaders();
        out.add("X-Echo-Method", ex.getRequestMethod());
        out.add("X-Echo-Query", String.valueOf(ex.getRequestURI().getRawQuery()));
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            for (String v : h.getValue()) {
                out.add("X-Echo-" + h.getKey(), v);
            }
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null) {
            out.add("Content-Type", type);
        }
        ex.sendResponseHeaders(200, 0);
        try (InputStream in = ex.getRequestBody(); OutputStream body = ex.getResponseBody()) {
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                body.write(buffer, 0, n);
                body.flush();
            }
        }
    }

    private void download(HttpExchange ex) throws IOException {
        drain(ex);
        Map<String, String> q = query(ex.getRequestURI());
        long size = Long.parseLong(q.getOrDefault("size", "0"));
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        if (ex.getRequestMethod().equals("HEAD")) {
            // The JDK server drops a length given for HEAD; state it the way real APIs do.
            ex.getResponseHeaders().add("Content-Length", String.valueOf(size));
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(200, q.containsKey("chunked") ? 0 : (size == 0 ? -1 : size));
        try (OutputStream out = new FilterOutputStream(ex.getResponseBody()) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                downloadBytesSent.addAndGet(len);
            }
        }) {
            TestData.write(size, out);
        } catch (IOException e) {
            brokenTransfers.add("download");
            throw e;
        }
    }

    private void upload(HttpExchange ex) throws IOException {
        MessageDigest sha = TestData.sha256();
        long count = 0;
        try (InputStream in = ex.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (count == 0) {
                    uploadsStarted.add(Boolean.TRUE);
                }
                sha.update(buffer, 0, n);
                count += n;
            }
        } catch (IOException e) {
            brokenTransfers.add("upload");
            throw e;
        }
        byte[] body = (count + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.US_ASCII);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private void sse(HttpExchange ex) throws IOException {
        drain(ex);
        int events = Integer.parseInt(query(ex.getRequestURI()).getOrDefault("events", "3"));
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 1; i <= events; i++) {
                if (i > 1 && sseGate.poll(30, TimeUnit.SECONDS) == null) {
                    return;
                }
                out.write(("data: event " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void hold(HttpExchange ex) throws IOException {
        drain(ex);
        requestsHeld.add(ex.getRequestURI().toString());
        awaitRelease(ex);
        byte[] body = "released\n".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private void stall(HttpExchange ex) throws IOException {
        drain(ex);
        String length = query(ex.getRequestURI()).get("length");
        ex.sendResponseHeaders(200, length == null ? 0 : Long.parseLong(length));
        try (OutputStream out = ex.getResponseBody()) {
            out.write(new byte[1024]);
            out.flush();
            awaitRelease(ex);
        } catch (IOException e) {
            brokenTransfers.add("download");
        }
    }

    private HttpHandler counted(HttpHandler handler) {
        return ex -> {
            requestsSeen.incrementAndGet();
            handler.handle(ex);
        };
    }

    private void cut(HttpExchange ex) throws IOException {
        drain(ex);
        long length = Long.parseLong(query(ex.getRequestURI()).get("length"));
        ex.sendResponseHeaders(200, length);
        OutputStream out = ex.getResponseBody();
        TestData.write(length / 2, out);
        out.flush();
        try {
            // The JDK server closes the connection when a fixed-length body is closed short.
            out.close();
        } catch (IOException expected) {
            // "insufficient bytes written to stream": the cut this path is for.
        }
    }

    /** Waits on the request's named gate, or on the shared one when it names none. */
    private void awaitRelease(HttpExchange ex) {
        String name = query(ex.getRequestURI()).get("gate");
        try {
            if (name == null) {
                holdGate.poll(60, TimeUnit.SECONDS);
            } else {
                gate(name).await(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CountDownLatch gate(String name) {
        return gates.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new java.util.HashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
