import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;

/**
 * The demo's stand-in for an API inside a private network. Run with {@code java DemoApi.java PORT}
 * (a single-file program: nothing to build). Listens on loopback only.
 *
 * <ul>
 * <li>{@code GET /hello}: a small JSON greeting</li>
 * <li>{@code POST /echo}: the request body back</li>
 * <li>{@code GET /events}: five server-sent events, one a second</li>
 * </ul>
 */
public class DemoApi {

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/hello", DemoApi::hello);
        server.createContext("/echo", DemoApi::echo);
        server.createContext("/events", DemoApi::events);
        server.start();
        System.out.println("demo internal API on http://127.0.0.1:" + port);
    }

    private static void hello(HttpExchange ex) throws IOException {
        byte[] body = ("{\"message\":\"hello from the internal API\",\"method\":\"" + ex.getRequestMethod()
                + "\",\"time\":\"" + Instant.now() + "\"}\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void echo(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        ex.getResponseHeaders().add("Content-Type", type == null ? "application/octet-stream" : type);
        ex.sendResponseHeaders(200, 0);
        try (InputStream in = ex.getRequestBody(); OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private static void events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 1; i <= 5; i++) {
                out.write(("data: event " + i + " at " + Instant.now() + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
