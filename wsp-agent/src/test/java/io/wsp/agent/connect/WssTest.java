package io.wsp.agent.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.Agent;
import io.wsp.agent.TestStores;
import io.wsp.agent.config.AgentConfig;
import java.net.SocketException;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * wss:// against a TLS server with test-made certificates: the agent trusts what its trust store
 * holds, checks the host name, presents its client certificate when asked, and still dials ws://
 * servers in the clear.
 */
@Timeout(60)
class WssTest {

    private static final String PASSWORD = "store-pw";

    @TempDir
    static Path dir;

    private static Path serverKeys;
    private static Path serverTrust;
    private static Path otherHostKeys;
    private static Path otherHostTrust;
    private static Path agentKeys;
    private static Path agentTrust;

    @BeforeAll
    static void stores() throws Exception {
        serverKeys = TestStores.keyStore(dir.resolve("server.p12"), PASSWORD, "server", "dns:localhost");
        serverTrust = TestStores.trustStore(dir.resolve("server-trust.p12"), PASSWORD, serverKeys, PASSWORD);
        otherHostKeys = TestStores.keyStore(dir.resolve("other.p12"), PASSWORD, "other", "dns:other.example");
        otherHostTrust = TestStores.trustStore(dir.resolve("other-trust.p12"), PASSWORD, otherHostKeys, PASSWORD);
        agentKeys = TestStores.keyStore(dir.resolve("agent.p12"), PASSWORD, "agent", "dns:agent.example");
        agentTrust = TestStores.trustStore(dir.resolve("agent-trust.p12"), PASSWORD, agentKeys, PASSWORD);
    }

    @Test
    void theAgentDialsWssTrustingItsTrustStore() throws Exception {
        try (HandshakeServer server = HandshakeServer.tls(TestStores.context(serverKeys, PASSWORD, null, null), false);
             Agent agent = Agent.start(agent("wss", server, serverTrust).build())) {
            assertEquals("tls_1", server.awaitUpgraded().read().text());
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedThoughTrusted() throws Exception {
        try (HandshakeServer server = HandshakeServer.tls(TestStores.context(otherHostKeys, PASSWORD, null, null), false)) {
            assertRefused(server, agent("wss", server, otherHostTrust));
        }
    }

    @Test
    void aCertificateOutsideTheTrustStoreIsRefused() throws Exception {
        try (HandshakeServer server = HandshakeServer.tls(TestStores.context(serverKeys, PASSWORD, null, null), false)) {
            assertRefused(server, agent("wss", server, otherHostTrust));
        }
    }

    @Test
    void theClientCertificateIsPresentedToAServerThatRequiresOne() throws Exception {
        try (HandshakeServer server = HandshakeServer.tls(TestStores.context(serverKeys, PASSWORD, agentTrust, PASSWORD), true);
             Agent agent = Agent.start(agent("wss", server, serverTrust).keyStore(agentKeys).keyStorePassword(PASSWORD).build())) {
            HandshakeServer.Peer peer = server.awaitUpgraded();
            assertEquals("CN=agent", ((SSLSocket) peer.socket()).getSession().getPeerPrincipal().getName());
            assertEquals("tls_1", peer.read().text());
        }
    }

    @Test
    void withoutAClientCertificateAServerThatRequiresOneRefuses() throws Exception {
        try (HandshakeServer server = HandshakeServer.tls(TestStores.context(serverKeys, PASSWORD, agentTrust, PASSWORD), true)) {
            assertRefused(server, agent("wss", server, serverTrust));
        }
    }

    @Test
    void wsServersAreStillDialledInTheClearWithATrustStoreSet() throws Exception {
        try (HandshakeServer server = HandshakeServer.plain();
             Agent agent = Agent.start(agent("ws", server, serverTrust).build())) {
            assertEquals("tls_1", server.awaitUpgraded().read().text());
        }
    }

    private static AgentConfig.Builder agent(String scheme, HandshakeServer server, Path trustStore) {
        return AgentConfig.builder().id("tls").server(scheme + "://localhost:" + server.port() + "/register")
                .poolIdleSize(1).poolMaxSize(1).trustStore(trustStore).trustStorePassword(PASSWORD);
    }

    /** The TLS handshake fails (on either side), so the agent never gets as far as the upgrade. */
    private static void assertRefused(HandshakeServer server, AgentConfig.Builder agent) throws Exception {
        try (Agent started = Agent.start(agent.build())) {
            // The server sees the client's alert (SSLException) or, when the client closes first, a
            // reset (SocketException): either way the TLS handshake, and so the upgrade, failed.
            Exception failure = server.awaitFailure();
            assertTrue(failure instanceof SSLException || failure instanceof SocketException, String.valueOf(failure));
            assertFalse(server.anyUpgraded());
        }
    }
}
