package io.wsp.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.TestStores;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheGoClientFormat() throws IOException {
        Path file = write("""
                id: my-agent
                targets:
                  - ws://127.0.0.1:8080/register
                  - wss://wsp.example.com/register
                poolidlesize: 2
                poolmaxsize: 7
                secretkey: "from-file"
                whitelist:
                  - method: "GET"
                    url: "^http://localhost:8081/"
                    headers:
                      X-Team: "^ops$"
                blacklist: []
                """);

        AgentConfig config = YamlConfigLoader.load(file).build();

        assertEquals("my-agent", config.id());
        assertEquals(List.of(URI.create("ws://127.0.0.1:8080/register"), URI.create("wss://wsp.example.com/register")),
                config.servers());
        assertEquals(2, config.poolIdleSize());
        assertEquals(7, config.poolMaxSize());
        assertEquals("from-file", config.secretKey());
        assertEquals(1, config.rules().whitelistSize());
        assertTrue(config.rules().deniedReason("GET", "http://localhost:8081/x", Map.of("X-Team", List.of("ops")))
                .isEmpty());
        assertTrue(config.rules().deniedReason("POST", "http://localhost:8081/x", Map.of("X-Team", List.of("ops")))
                .isPresent());
    }

    @Test
    void rulesTakeHostPortAndCidrKeys() throws IOException {
        Path file = write("""
                targets: [ws://h/r]
                whitelist:
                  - host: "api\\\\.internal"
                    port: "8000-8099"
                  - cidr: "10.0.0.0/8"
                    method: "^GET$"
                blacklist:
                  - cidr: "10.9.0.0/16"
                """);

        AgentConfig config = YamlConfigLoader.load(file).build();

        assertEquals(2, config.rules().whitelistSize());
        assertEquals(1, config.rules().blacklistSize());
        assertTrue(config.rules().deniedReason("POST", "http://api.internal:8042/", Map.of()).isEmpty());
        assertTrue(config.rules().deniedReason("POST", "http://api.internal:8100/", Map.of()).isPresent());
        assertTrue(config.rules().deniedReason("GET", "http://10.1.0.1/", Map.of()).isEmpty());
        assertTrue(config.rules().deniedReason("GET", "http://10.9.0.1/", Map.of()).isPresent());
    }

    @Test
    void allowAllMustBeABoolean() throws IOException {
        assertTrue(YamlConfigLoader.load(write("targets: [ws://h/r]\nallowall: true\n")).build().allowAll());
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load(write("allowall: yes-please\n")));
        assertTrue(e.getMessage().contains("allowall must be true or false"), e.getMessage());
    }

    @Test
    void absentKeysKeepTheDefaults() throws IOException {
        AgentConfig config = YamlConfigLoader.load(write("targets: [ws://h/r]\n")).build();

        assertEquals(10, config.poolIdleSize());
        assertTrue(config.rules().isEmpty());
        assertFalse(config.allowAll(), "deny by default");
    }

    @Test
    void unknownKeysAreIgnoredLikeGo() throws IOException {
        assertEquals(1, YamlConfigLoader.load(write("targets: [ws://h/r]\nsomethingnew: 1\n")).build().servers().size());
    }

    @Test
    void malformedYamlIsAConfigError() throws IOException {
        Path file = write("targets: [ws://h/r\npoolidlesize: : 3\n");

        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load(file));
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void wrongTypesAreConfigErrors() throws IOException {
        assertThrows(ConfigException.class, () -> YamlConfigLoader.load(write("poolidlesize: ten\n")));
        assertThrows(ConfigException.class, () -> YamlConfigLoader.load(write("targets: ws://h/r\n")));
        assertThrows(ConfigException.class, () -> YamlConfigLoader.load(write("- a\n- b\n")));
    }

    @Test
    void anInvalidRuleRegexIsAConfigError() throws IOException {
        Path file = write("targets: [ws://h/r]\nwhitelist:\n  - url: \"([\"\n");

        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load(file));
        assertTrue(e.getMessage().contains("whitelist[0]"), e.getMessage());
    }

    @Test
    void aMissingFileIsAConfigError() {
        assertThrows(ConfigException.class, () -> YamlConfigLoader.load(dir.resolve("absent.cfg")));
    }

    @Test
    void storePathsAreRelativeToTheFilesDirectory() throws Exception {
        Path keys = TestStores.keyStore(dir.resolve("agent.p12"), "pw-yaml", "agent", "dns:agent.example");
        TestStores.trustStore(dir.resolve("trust.jks"), "pw-yaml", keys, "pw-yaml");
        Path file = write("""
                targets: [wss://h/r]
                truststore: trust.jks
                truststorepassword: pw-yaml
                keystore: agent.p12
                keystorepassword: pw-yaml
                """);

        AgentConfig config = YamlConfigLoader.load(file).build();

        assertEquals("truststore " + dir.resolve("trust.jks") + ", client certificate from keystore "
                + dir.resolve("agent.p12"), config.tlsSummary());
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "wsp_client", ".cfg");
        Files.writeString(file, yaml);
        return file;
    }
}
