package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.TestStores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent jar over wss:// to Payara Micro's HTTPS listener, as the README's TLS section sets it
 * up: the server's certificate (for localhost) comes from a key store given with
 * {@code javax.net.ssl.keyStore} (in a {@code --systemproperties} file) and {@code --sslcert}, and
 * the listener requires a client certificate from the trust store given with
 * {@code javax.net.ssl.trustStore}. All keys are made for this run. Payara is started by the test
 * ({@link PayaraProcess}), not by Arquillian, because it needs those stores before it boots.
 */
class TlsIT {

    private static final String PASSWORD = "tls-it-pw";
    private static final String SERVER_CERT = "wsp-server";

    private static Path stores;
    private static Path agentKeys;
    private static Path serverTrust;
    private static Path strangerTrust;
    private static InternalApi api;
    private static PayaraProcess payara;
    private static WspServer wsp;

    @BeforeAll
    static void start() throws Exception {
        stores = Files.createDirectories(Path.of("target", "tls-it-" + System.nanoTime()));
        Path serverKeys = TestStores.keyStore(stores.resolve("server.p12"), PASSWORD, SERVER_CERT, "dns:localhost");
        serverTrust = TestStores.trustStore(stores.resolve("server-trust.p12"), PASSWORD, serverKeys, PASSWORD);
        agentKeys = TestStores.keyStore(stores.resolve("agent.p12"), PASSWORD, "agent", "dns:agent.example");
        Path agentTrust = TestStores.trustStore(stores.resolve("agent-trust.p12"), PASSWORD, agentKeys, PASSWORD);
        Path stranger = TestStores.keyStore(stores.resolve("stranger.p12"), PASSWORD, "stranger", "dns:localhost");
        strangerTrust = TestStores.trustStore(stores.resolve("stranger-trust.p12"), PASSWORD, stranger, PASSWORD);
        api = new InternalApi();
        payara = PayaraProcess.start(stores, Map.of(
                        "wsp.secretKey", WspServer.SECRET,
                        "javax.net.ssl.keyStore", serverKeys.toAbsolutePath().toString(),
                        "javax.net.ssl.keyStorePassword", PASSWORD,
                        "javax.net.ssl.trustStore", agentTrust.toAbsolutePath().toString(),
                        "javax.net.ssl.trustStorePassword", PASSWORD),
                List.of("set configs.config.server-config.network-config.protocols.protocol.https-listener.ssl.client-auth-enabled=true"),
                SERVER_CERT);
        wsp = new WspServer(payara.httpUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void theHttpsListenerServesTheTestCertificateAndRequiresAClientCertificate() throws Exception {
        URI live = URI.create("https://localhost:" + payara.httpsPort + "/health/live");
        SSLContext withClientCert = TestStores.context(agentKeys, PASSWORD, serverTrust, PASSWORD);

        assertEquals(200, get(withClientCert, live).statusCode());
        assertThrows(IOException.class, () -> get(TestStores.context(null, null, serverTrust, PASSWORD), live));
    }

    @Test
    void anAgentOverWssWithItsClientCertificateServesRequests() throws Exception {
        try (AgentProcess agent = startAgent("tls-agent", serverTrust)) {
            wsp.awaitIdle("tls-agent", 1);

            HttpResponse<String> r = wsp.send(wsp.request(api.url("/status/200")).build());

            assertEquals(200, r.statusCode(), r.body());
            assertEquals("status 200\n", r.body());
            assertEquals("internal-api", r.headers().firstValue("Server").orElse(""));
        }
        wsp.awaitNoAgents();
    }

    @Test
    void anAgentThatDoesNotTrustTheServerSaysSoAndNeverRegisters() throws Exception {
        try (AgentProcess agent = startAgent("distrustful", strangerTrust)) {
            String line = agent.awaitLogLine("cannot connect to " + payara.wssRegisterUrl());

            assertTrue(line.contains("unable to find valid certification path"), line);
            assertTrue(wsp.agent("distrustful").isEmpty(), "registered although it does not trust the server");
            assertTrue(agent.isAlive(), "it keeps trying, as for any server it cannot reach");
        }
    }

    /** The agent jar with the client certificate and the given trust store; passwords in its environment. */
    private static AgentProcess startAgent(String id, Path trustStore) throws IOException {
        return AgentProcess.start("64m", Map.of("WSP_SECRET_KEY", WspServer.SECRET,
                        "WSP_TRUSTSTORE_PASSWORD", PASSWORD, "WSP_KEYSTORE_PASSWORD", PASSWORD),
                "--server", payara.wssRegisterUrl(), "--id", id, "--pool-idle", "1", "--pool-max", "2", "--allow-cidr", "127.0.0.1",
                "--truststore", trustStore.toAbsolutePath().toString(),
                "--keystore", agentKeys.toAbsolutePath().toString());
    }

    private static HttpResponse<Void> get(SSLContext tls, URI uri) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    }
}
