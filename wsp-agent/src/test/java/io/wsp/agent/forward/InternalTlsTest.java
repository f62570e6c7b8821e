package io.wsp.agent.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.wsp.agent.TestStores;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.rules.Rule;
import io.wsp.rules.RuleSet;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** https to internal APIs: the connection goes to the checked address, the certificate must name the URL's host. */
@Timeout(60)
class InternalTlsTest {

    private static final String PASSWORD = "changeit";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private HttpsServer server;
    private Forwarder forwarder;
    /** The client ports requests came from: one per connection that got past TLS. */
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();

    @AfterEach
    void stop() {
        if (forwarder != null) {
            forwarder.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aBodyGoesOverTlsToACertificateNamingTheAddressOnOneReusedConnection() throws Exception {
        SSLContext tls = context("ip:127.0.0.1");
        start(tls, TIMEOUT);
        String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/echo";

        assertEquals("over tls", post(url, "over tls").bodyText());
        assertEquals("again", post(url, "again").bodyText());
        assertEquals(1, connections.size());
    }

    @Test
    void theNameIsVerifiedAgainstTheCertificateWhileConnectingToTheCheckedAddress() throws Exception {
        SSLContext tls = context("dns:api.invalid");
        start(tls, TIMEOUT);

        // .invalid never resolves: the connection goes to the guard's address, TLS checks the name.
        CollectingSink sink = post("https://api.invalid:" + server.getAddress().getPort() + "/echo", "by name");

        assertEquals(200, sink.head.statusCode);
        assertEquals("by name", sink.bodyText());
    }

    @Test
    void aCertificateForAnotherHostIsAnswered527() throws Exception {
        SSLContext tls = context("dns:other.example");
        start(tls, TIMEOUT);

        CollectingSink sink = post("https://127.0.0.1:" + server.getAddress().getPort() + "/echo", "never");

        assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
        assertEquals("unable to execute request: TLS handshake failed", sink.bodyText());
        assertEquals(0, connections.size());
    }

    @Test
    void aTlsHandshakeThatNeverCompletesIsAConnectTimeout() throws Exception {
        SSLContext tls = context("ip:127.0.0.1");
        start(tls, Duration.ofMillis(300));
        // Accepts TCP and then says nothing: the handshake counts against the connect timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket ignored = silent.accept()) {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (Exception closed) {
                    // The test is over.
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            CollectingSink sink = post("https://127.0.0.1:" + silent.getLocalPort() + "/", "x");

            assertEquals(WspProtocol.AGENT_ERROR_STATUS, sink.head.statusCode);
            assertEquals(List.of(WspProtocol.AGENT_ERROR_CONNECT_TIMEOUT), sink.header(WspProtocol.AGENT_ERROR_KIND_HEADER));
            acceptor.interrupt();
        }
    }

    private CollectingSink post(String url, String text) throws Exception {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        CollectingSink sink = new CollectingSink();
        forwarder.start(new RequestHead("POST", url, Map.of(), body.length), sink).onBodyFrame(ByteBuffer.wrap(body), true);
        sink.awaitDone();
        InternalCallTest.awaitNoActiveConnection(forwarder);
        return sink;
    }

    private void start(SSLContext tls, Duration connectTimeout) throws Exception {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/echo", ex -> {
            connections.add(ex.getRemoteAddress().getPort());
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        DestinationGuard guard = new DestinationGuard(new RuleSet(List.of(Rule.ofCidr("127.0.0.1")), List.of()), false, host -> new InetAddress[] {InetAddress.getLoopbackAddress()});
        forwarder = new Forwarder(guard, connectTimeout, TIMEOUT, tls);
    }

    /** Serves with a self-signed certificate naming {@code san}, and trusts that certificate. */
    private SSLContext context(String san) throws Exception {
        Path store = TestStores.keyStore(dir.resolve("ks-" + san.replace(':', '-') + ".p12"), PASSWORD, "test", san);
        return TestStores.context(store, PASSWORD, store, PASSWORD);
    }
}
