package io.wsp.agent.forward.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** https: the handshake goes over the pooled socket, and the certificate must name the host. */
@Timeout(60)
class Http1TlsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    @Test
    void bodyIsSentOverTlsToACertificateNamingTheHost() throws Exception {
        SSLContext tls = context(keyStore("ip:127.0.0.1"));
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
        SSLContext tls = context(keyStore("dns:api.invalid"));
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
        SSLContext tls = context(keyStore("dns:other.example"));
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

    /** A self-signed certificate with the given subject alternative name, made by the JDK's keytool. */
    private KeyStore keyStore(String san) throws Exception {
        Path file = dir.resolve("ks-" + san.replace(':', '-') + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=test", "-ext", "san=" + san, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** Serves with the key and trusts the same self-signed certificate. */
    private static SSLContext context(KeyStore ks) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(ks, PASSWORD);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(ks);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
