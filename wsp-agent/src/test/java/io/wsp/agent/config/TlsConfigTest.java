package io.wsp.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.TestStores;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stores named in the configuration are read once, when it is built; any fault stops the start. */
class TlsConfigTest {

    private static final String PASSWORD = "store-pw";

    @TempDir
    static Path dir;

    private static Path keys;
    private static Path trust;

    @BeforeAll
    static void stores() throws Exception {
        keys = TestStores.keyStore(dir.resolve("agent.p12"), PASSWORD, "agent", "dns:agent.example");
        trust = TestStores.trustStore(dir.resolve("trust.p12"), PASSWORD, keys, PASSWORD);
    }

    @Test
    void withoutStoresTheJvmDefaultContextIsUsed() throws Exception {
        AgentConfig config = builder().build();

        assertSame(SSLContext.getDefault(), config.sslContext());
        assertEquals("JVM default trust, no client certificate", config.tlsSummary());
    }

    @Test
    void aTrustStoreAndAKeyStoreMakeTheAgentsOwnContext() throws Exception {
        AgentConfig config = builder().trustStore(trust).trustStorePassword(PASSWORD)
                .keyStore(keys).keyStorePassword(PASSWORD).build();

        assertNotSame(SSLContext.getDefault(), config.sslContext());
        assertEquals("truststore " + trust + ", client certificate from keystore " + keys, config.tlsSummary());
    }

    @Test
    void aJksFileIsReadAsJks() throws Exception {
        Path jks = TestStores.trustStore(dir.resolve("trust.jks"), PASSWORD, keys, PASSWORD);

        builder().trustStore(jks).trustStorePassword(PASSWORD).build();
    }

    @Test
    void theStoreTypeFollowsTheFileExtensionWithPkcs12TheDefault() {
        assertEquals("JKS", StoreFile.type(Path.of("/etc/wsp/trust.JKS")));
        assertEquals("PKCS12", StoreFile.type(Path.of("trust.p12")));
        assertEquals("PKCS12", StoreFile.type(Path.of("client.pfx")));
        assertEquals("PKCS12", StoreFile.type(Path.of("truststore")));
    }

    @Test
    void aWrongPasswordIsNamedWithTheFileButNotThePassword() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> builder().trustStore(trust).trustStorePassword("wrong-pw").build());

        assertEquals("cannot use truststore " + trust + ": keystore password was incorrect", e.getMessage());
    }

    @Test
    void aMissingStoreIsAConfigError() {
        Path absent = dir.resolve("absent.p12");
        ConfigException e = assertThrows(ConfigException.class,
                () -> builder().trustStore(absent).trustStorePassword(PASSWORD).build());

        assertEquals("cannot use truststore " + absent + ": no such file", e.getMessage());
    }

    @Test
    void aFileThatIsNoStoreIsAConfigError() {
        Path notAStore = dir.resolve("not-a-store.jks");
        ConfigException e = assertThrows(ConfigException.class,
                () -> builder().trustStore(java.nio.file.Files.writeString(notAStore, "hello")).build());

        assertTrue(e.getMessage().startsWith("cannot use truststore " + notAStore + ": "), e.getMessage());
    }

    @Test
    void aKeyStoreNeedsAPassword() {
        ConfigException e = assertThrows(ConfigException.class, () -> builder().keyStore(keys).build());

        assertEquals("cannot use keystore " + keys + ": a password is needed for its private key", e.getMessage());
    }

    @Test
    void aKeyStoreWithoutAPrivateKeyIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> builder().keyStore(trust).keyStorePassword(PASSWORD).build());

        assertEquals("cannot use keystore " + trust + ": it holds no private key", e.getMessage());
    }

    @Test
    void aPasswordWithoutItsStoreIsRefused() {
        assertThrows(ConfigException.class, () -> builder().trustStorePassword(PASSWORD).build());
        assertThrows(ConfigException.class, () -> builder().keyStorePassword(PASSWORD).build());
    }

    @Test
    void toStringNeverShowsAPassword() {
        AgentConfig config = builder().trustStore(trust).trustStorePassword(PASSWORD)
                .keyStore(keys).keyStorePassword(PASSWORD).build();

        assertFalse(config.toString().contains(PASSWORD), config.toString());
    }

    private static AgentConfig.Builder builder() {
        return AgentConfig.builder().server("wss://localhost/register");
    }
}
