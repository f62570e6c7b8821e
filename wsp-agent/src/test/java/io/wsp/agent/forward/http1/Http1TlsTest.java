package io.wsp.agent.forward.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.wsp.agent.TestStores;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** https: the handshake goes over the pooled socket, and the certificate must name the host. */
@Timeout(60)
class Http1TlsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static final String PASSWORD = "changeit";

    @TempDir
    Path dir;

    @Test
    void bodyIsSentOverTlsToACertificateNamingTheHost() throws Exception {
        SSLContext tls = context("ip:127.0.0.1");
        HttpsServer server = echoServer(tls);
        try (Http1Client client = new Http1Client(Duration.ofSeconds(10), tls.getSocketFactory())) {
            URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/echo");

            assertEquals("over tls", post(client, uri, "over tls"));
            assertEquals("again", post(client, uri, "again"));
            assertEquals(1, client.idleConnections());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theNameIsVerifiedAgainstTheCertificateWhileConnectingToTheCheckedAddress() throws Exception {
        SSLContext tls = context("dns:api.invalid");
        HttpsServer server = echoServer(tls);
        try (Http1Client client = new Http1Client(Duration.ofSeconds(10), tls.getSocketFactory())) {
            // .invalid never resolves: the connection goes to the given address, TLS checks the name.
            URI uri = URI.create("https://api.invalid:" + server.getAddress().getPort() + "/echo");

            assertEquals("by name", post(client, uri, "by name"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void certificateForAnotherHostIsRefused() throws Exception {
        SSLContext tls = context("dns:other.example");
        HttpsServer server = echoServer(tls);
        try (Http1Client client = new Http1Client(Duration.ofSeconds(10), tls.getSocketFactory())) {
            URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/echo");
            Http1Exchange x = client.newExchange(uri, LOOPBACK, "POST", Map.of(), 1);

            assertThrows(SSLHandshakeException.class, x::sendHead);
        } finally {
            server.stop(0);
        }
    }

    private static String post(Http1Client client, URI uri, String text) throws Exception {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        Http1Exchange x = client.newExchange(uri, LOOPBACK, "POST", Map.of(), body.length);
        x.sendHead();
        Thread writer = new Thread(() -> {
            try {
                x.sendBody(new ByteArrayInputStream(body));
            } catch (java.io.IOException e) {
                x.cancel();
            }
        });
        writer.start();
        Http1Response response = x.readResponse();
        String received;
        try (InputStream in = response.body()) {
            received = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        writer.join();
        return received;
    }

    private static HttpsServer echoServer(SSLContext tls) throws Exception {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/echo", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    /** Serves with a self-signed certificate naming {@code san}, and trusts that certificate. */
    private SSLContext context(String san) throws Exception {
        Path store = TestStores.keyStore(dir.resolve("ks-" + san.replace(':', '-') + ".p12"), PASSWORD, "test", san);
        return TestStores.context(store, PASSWORD, store, PASSWORD);
    }
}
