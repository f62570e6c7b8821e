import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * The benchmark's stand-in for an internal API: as cheap as possible, so that what the benchmark
 * measures is wsp and not the API. Run with {@code java bench/BenchApi.java PORT}; listens on
 * loopback only.
 *
 * <ul>
 * <li>{@code GET /small}: a fixed 100-byte body with Content-Length</li>
 * <li>{@code GET /bytes?size=N}: N bytes with Content-Length, written from one random buffer
 * reused for every response (no per-request allocation, incompressible content)</li>
 * <li>{@code POST /upload}: reads and drops the body, answers its byte count</li>
 * </ul>
 *
 * <p>For {@code bench/soak.sh}, answers that let the caller tell its own response from anyone
 * else's, so a body mixed up or cut short in the tunnel shows as corrupt rather than as a success:
 *
 * <ul>
 * <li>{@code GET /tag?t=TOKEN}: a small body naming TOKEN, with Content-Length</li>
 * <li>{@code GET /slow?ms=N&t=TOKEN}: the same body after N ms: half of the wait before the head,
 * half between the first and second half of the body</li>
 * <li>{@code POST /sha256}: reads the body, answers {@code COUNT SHA256HEX}</li>
 * </ul>
 */
public class BenchApi {

    /** Enough handlers for 64 benchmark connections plus the agent's pool, on a 2-core machine. */
    private static final int THREADS = 64;
    /** Large enough that a write is one big syscall-sized chunk; small enough to stay in cache. */
    private static final int BUFFER_SIZE = 256 * 1024;

    private static final byte[] SMALL = ("{\"ok\":true,\"from\":\"bench internal API\",\"padding\":\""
            + "x".repeat(47) + "\"}\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RANDOM = new byte[BUFFER_SIZE];

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        // Without TCP_NODELAY the headers and the body go out as two small segments and Nagle plus
        // delayed ACKs add ~40 ms to every small response: the baseline would measure the kernel.
        // Read once when the server implementation loads, so it must be set before create().
        System.setProperty("sun.net.httpserver.nodelay", "true");
        new Random(42).nextBytes(RANDOM);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(THREADS));
        server.createContext("/small", BenchApi::small);
        server.createContext("/bytes", BenchApi::bytes);
        server.createContext("/upload", BenchApi::upload);
        server.createContext("/tag", BenchApi::tag);
        server.createContext("/slow", BenchApi::slow);
        server.createContext("/sha256", BenchApi::sha256);
        server.start();
        System.out.println("bench internal API on http://127.0.0.1:" + port + " (/small is " + SMALL.length + " bytes)");
    }

    private static void small(HttpExchange ex) throws IOException {
        drain(ex);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, SMALL.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(SMALL);
        }
    }

    private static void bytes(HttpExchange ex) throws IOException {
        drain(ex);
        long size = sizeParam(ex.getRequestURI().getRawQuery());
        if (size < 0) {
            byte[] msg = "size=N required\n".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(400, msg.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(msg);
            }
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        // sendResponseHeaders treats 0 as "chunked"; -1 means an empty body.
        ex.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (OutputStream out = ex.getResponseBody()) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(left, RANDOM.length);
                out.write(RANDOM, 0, n);
                left -= n;
            }
        }
    }

    private static void upload(HttpExchange ex) throws IOException {
        long count = drain(ex);
        byte[] body = (count + "\n").getBytes(StandardCharsets.US_ASCII);
        ex.getResponseHeaders().add("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void tag(HttpExchange ex) throws IOException {
        drain(ex);
        byte[] body = tagged(ex);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void slow(HttpExchange ex) throws IOException {
        drain(ex);
        long ms = Math.max(0, longParam(ex.getRequestURI().getRawQuery(), "ms"));
        byte[] body = tagged(ex);
        int half = body.length / 2;
        // The second half is held back so that an agent killed during the wait dies mid-body: the
        // caller must then see an error, never the first half passed off as a whole response.
        pause(ms / 2);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body, 0, half);
            out.flush();
            pause(ms - ms / 2);
            out.write(body, half, body.length - half);
        }
    }

    private static void sha256(HttpExchange ex) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buf = new byte[64 * 1024];
        long count = 0;
        try (InputStream in = ex.getRequestBody()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
                count += n;
            }
        }
        byte[] body = (count + " " + HexFormat.of().formatHex(digest.digest()) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        ex.getResponseHeaders().add("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** The body of /tag and /slow: the caller's token, padded so it is not a trivially short body. */
    private static byte[] tagged(HttpExchange ex) {
        String query = ex.getRequestURI().getRawQuery();
        String token = "";
        for (String part : query == null ? new String[0] : query.split("&")) {
            if (part.startsWith("t=")) {
                token = part.substring(2);
            }
        }
        return ("{\"t\":\"" + token + "\",\"padding\":\"" + "x".repeat(48) + "\"}\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void pause(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Reads the whole request body so the connection can be reused; returns its length. */
    private static long drain(HttpExchange ex) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (InputStream in = ex.getRequestBody()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
            }
        }
        return total;
    }

    private static long sizeParam(String query) {
        return longParam(query, "size");
    }

    /** The value of {@code name=N} in the query, or -1 when absent or not a number. */
    private static long longParam(String query, String name) {
        if (query == null) {
            return -1;
        }
        for (String part : query.split("&")) {
            if (part.startsWith(name + "=")) {
                try {
                    return Long.parseLong(part.substring(name.length() + 1));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
