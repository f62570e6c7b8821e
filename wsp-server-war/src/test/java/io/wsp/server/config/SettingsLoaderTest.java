package io.wsp.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.server.auth.AgentKey;
import io.wsp.server.auth.CallerKey;
import io.wsp.server.auth.KeyDigest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {

    @TempDir
    Path dir;

    private static ServerSettings load(Map<String, String> props, Map<String, String> env) {
        return new SettingsLoader(props::get, env::get, path -> null).load();
    }

    @Test
    void defaultsMatchTheGoServer() {
        ServerSettings s = load(Map.of(), Map.of());
        assertEquals("", s.secretKey());
        assertEquals(Duration.ofMillis(1000), s.timeout());
        assertEquals(Duration.ofMillis(60000), s.idleTimeout());
        assertEquals(Duration.ofMillis(60000), s.responseTimeout());
        assertEquals(1000, s.maxWaiting());
        assertEquals(Duration.ofMillis(15000), s.pingInterval());
        assertEquals(Duration.ofMillis(300000), s.bodyIdleTimeout());
        assertEquals(65536, s.maxHeaderBytes());
        assertEquals(0, s.maxRequestBodyBytes(), "no body limit by default");
        assertEquals(Duration.ofMillis(10000), s.shutdownGrace());
        assertTrue(s.rules().isEmpty());
    }

    @Test
    void sizeLimitsComeFromTheYamlFileAndPropertiesWin() throws Exception {
        Path file = dir.resolve("limits.yaml");
        Files.writeString(file, "maxHeaderBytes: 4096\nmaxRequestBodyBytes: 1048576\n");
        ServerSettings fromFile = load(Map.of("wsp.config", file.toString()), Map.of());
        assertEquals(4096, fromFile.maxHeaderBytes());
        assertEquals(1048576, fromFile.maxRequestBodyBytes());
        ServerSettings overridden = load(Map.of("wsp.config", file.toString(), "wsp.maxRequestBodyBytes", "0"),
                Map.of("WSP_MAX_HEADER_BYTES", "2048"));
        assertEquals(2048, overridden.maxHeaderBytes());
        assertEquals(0, overridden.maxRequestBodyBytes());
    }

    @Test
    void everyTimeoutAndTheWaitQueueComeFromTheYamlFileAndPropertiesWin() throws Exception {
        Path file = dir.resolve("timeouts.yaml");
        Files.writeString(file, "responseTimeout: 7000\nbodyIdleTimeout: 8000\npingInterval: 9000\n"
                + "maxWaiting: 10\nshutdownGrace: 11000\n");
        ServerSettings fromFile = load(Map.of("wsp.config", file.toString()), Map.of());
        assertEquals(Duration.ofMillis(7000), fromFile.responseTimeout());
        assertEquals(Duration.ofMillis(8000), fromFile.bodyIdleTimeout());
        assertEquals(Duration.ofMillis(9000), fromFile.pingInterval());
        assertEquals(10, fromFile.maxWaiting());
        assertEquals(Duration.ofMillis(11000), fromFile.shutdownGrace());
        ServerSettings overridden = load(Map.of("wsp.config", file.toString(), "wsp.pingInterval", "0"),
                Map.of("WSP_MAX_WAITING", "3"));
        assertEquals(Duration.ZERO, overridden.pingInterval());
        assertEquals(3, overridden.maxWaiting());
    }

    @Test
    void aHeaderLimitOutsideItsRangeIsRefused() {
        for (String bad : List.of("1023", "524289", "99999999999", "-1", "64k")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> load(Map.of("wsp.maxHeaderBytes", bad), Map.of()), bad);
            assertTrue(e.getMessage().contains("maxHeaderBytes"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.maxRequestBodyBytes", "-5"), Map.of()));
    }

    @Test
    void environmentVariablesUseUpperSnakeCase() {
        ServerSettings s = load(Map.of(), Map.of("WSP_SECRET_KEY", "k", "WSP_TIMEOUT", "250", "WSP_IDLE_TIMEOUT", "5000",
                "WSP_RESPONSE_TIMEOUT", "7000", "WSP_MAX_WAITING", "12", "WSP_PING_INTERVAL", "0", "WSP_BODY_IDLE_TIMEOUT", "9000",
                "WSP_SHUTDOWN_GRACE", "0"));
        assertEquals("k", s.secretKey());
        assertEquals(Duration.ofMillis(250), s.timeout());
        assertEquals(Duration.ofMillis(5000), s.idleTimeout());
        assertEquals(Duration.ofMillis(7000), s.responseTimeout());
        assertEquals(12, s.maxWaiting());
        assertEquals(Duration.ZERO, s.pingInterval(), "0 turns pings off");
        assertEquals(Duration.ofMillis(9000), s.bodyIdleTimeout());
        assertEquals(Duration.ZERO, s.shutdownGrace(), "0: connections close at once");
    }

    @Test
    void systemPropertiesWinOverEnvironmentAndFile() throws Exception {
        Path file = dir.resolve("wsp_server.cfg");
        Files.writeString(file, "secretkey: fromfile\ntimeout: 300\n");
        ServerSettings s = load(Map.of("wsp.config", file.toString(), "wsp.secretKey", "fromprop"),
                Map.of("WSP_SECRET_KEY", "fromenv", "WSP_TIMEOUT", "400"));
        assertEquals("fromprop", s.secretKey());
        assertEquals(Duration.ofMillis(400), s.timeout());
    }

    @Test
    void readsTheGoServerYamlFormatIncludingRules() throws Exception {
        Path file = dir.resolve("wsp_server.cfg");
        Files.writeString(file, """
                host: 127.0.0.1
                port: 8080
                timeout: 1500
                idletimeout: 20000
                secretkey: "s3cret"
                whitelist:
                  - method: "^GET$"
                    url: "^http://api:8081/"
                blacklist:
                  - url: "/admin"
                    headers:
                      X-Team: red
                """);
        ServerSettings s = load(Map.of("wsp.config", file.toString()), Map.of());
        assertEquals("s3cret", s.secretKey());
        assertEquals(Duration.ofMillis(1500), s.timeout());
        assertEquals(Duration.ofMillis(20000), s.idleTimeout());
        assertTrue(s.rules().deniedReason("GET", "http://api:8081/x", Map.of()).isEmpty());
        assertTrue(s.rules().deniedReason("POST", "http://api:8081/x", Map.of()).isPresent());
        assertTrue(s.rules().deniedReason("GET", "http://api:8081/admin", Map.of("X-Team", List.of("red"))).isPresent());
    }

    @Test
    void badValuesAreRefusedWithTheSettingsName() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> load(Map.of("wsp.timeout", "soon"), Map.of()));
        assertTrue(e.getMessage().contains("wsp.timeout"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.idleTimeout", "0"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.responseTimeout", "0"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.maxWaiting", "-1"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.shutdownGrace", "-1"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.maxWaiting", "many"), Map.of()));
        Path notYaml = dir.resolve("bad.cfg");
        Files.writeString(notYaml, "- just\n- a list\n");
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.config", notYaml.toString()), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> load(Map.of("wsp.config", dir.resolve("missing.cfg").toString()), Map.of()));
    }

    @Test
    void theSecretNeverAppearsInTheLoggedSettings() {
        ServerSettings s = load(Map.of("wsp.secretKey", "do-not-print"), Map.of());
        assertFalse(s.toString().contains("do-not-print"), s.toString());
        assertEquals("do-not-print", s.secretKey());
    }

    private static ClusterSettings cluster(Map<String, String> props, Map<String, String> env) {
        return new SettingsLoader(props::get, env::get, path -> null).loadCluster();
    }

    @Test
    void clusterModeIsOffByDefaultAndNeedsNothingElse() {
        assertFalse(cluster(Map.of(), Map.of()).enabled());
        assertFalse(cluster(Map.of("wsp.cluster", "false"), Map.of("WSP_CLUSTER_URL", "not a url")).enabled());
    }

    @Test
    void clusterModeRefusesToStartWithoutASecretOrAUrl() {
        IllegalArgumentException noSecret = assertThrows(IllegalArgumentException.class,
                () -> cluster(Map.of("wsp.cluster", "true", "wsp.clusterUrl", "http://10.0.0.5:8080/"), Map.of()));
        assertTrue(noSecret.getMessage().contains("wsp.clusterSecret"), noSecret.getMessage());
        IllegalArgumentException shortSecret = assertThrows(IllegalArgumentException.class,
                () -> cluster(Map.of("wsp.cluster", "true", "wsp.clusterSecret", "short",
                        "wsp.clusterUrl", "http://10.0.0.5:8080/"), Map.of()));
        assertTrue(shortSecret.getMessage().contains("at least 16"), shortSecret.getMessage());
        IllegalArgumentException noUrl = assertThrows(IllegalArgumentException.class,
                () -> cluster(Map.of("wsp.cluster", "true", "wsp.clusterSecret", "0123456789abcdef"), Map.of()));
        assertTrue(noUrl.getMessage().contains("wsp.clusterUrl"), noUrl.getMessage());
        IllegalArgumentException badUrl = assertThrows(IllegalArgumentException.class,
                () -> cluster(Map.of("wsp.cluster", "true", "wsp.clusterSecret", "0123456789abcdef",
                        "wsp.clusterUrl", "ftp://node/"), Map.of()));
        assertTrue(badUrl.getMessage().contains("http://"), badUrl.getMessage());
    }

    @Test
    void clusterSettingsComeFromTheEnvironmentOrTheYamlFileAndNeverShowTheSecret() throws Exception {
        ClusterSettings fromEnv = cluster(Map.of(), Map.of("WSP_CLUSTER", "true",
                "WSP_CLUSTER_SECRET", "0123456789abcdef-secret", "WSP_CLUSTER_URL", "http://10.0.0.5:8080/wsp"));
        assertTrue(fromEnv.enabled());
        assertEquals("0123456789abcdef-secret", fromEnv.secret());
        assertEquals("http://10.0.0.5:8080/wsp/", fromEnv.url().toString(), "a trailing slash is added");
        assertEquals("payara/CacheManager", fromEnv.cacheManager(), "Payara's data grid by default");
        assertFalse(fromEnv.toString().contains("0123456789abcdef-secret"), fromEnv.toString());
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "cluster: true\nclusterSecret: from-the-file-0123\nclusterUrl: https://node-2:8181/\n"
                + "clusterCacheManager: java:global/grid\n");
        ClusterSettings fromFile = cluster(Map.of("wsp.config", file.toString()), Map.of());
        assertEquals("from-the-file-0123", fromFile.secret());
        assertEquals("https://node-2:8181/", fromFile.url().toString());
        assertEquals("java:global/grid", fromFile.cacheManager());
    }

    private static final String AUTH_YAML = """
            agents:
              - id: a1
                key: a1-key
              - id: a2
                keySha256: "%s"
            callers:
              - name: ci
                key: ci-key
                agents: [a1]
                whitelist:
                  - url: "^http://api:8081/"
              - name: ops
                keysha256: "%s"
            """;

    private static String sha256Hex(String key) {
        return HexFormat.of().formatHex(KeyDigest.digest(key));
    }

    @Test
    void theYamlListsAgentKeysAndCallerKeysPlainOrAsSha256() throws Exception {
        Path file = dir.resolve("wsp.yaml");
        Files.writeString(file, AUTH_YAML.formatted(sha256Hex("a2-key"), sha256Hex("ops-key")));
        ServerSettings s = load(Map.of("wsp.config", file.toString()), Map.of());
        assertEquals(List.of("a1", "a2"), s.agentKeys().stream().map(AgentKey::agentId).toList());
        assertTrue(s.agentKeys().get(1).key().matches(KeyDigest.digest("a2-key")));
        assertEquals("ci", s.callerKeys().get(0).name());
        assertEquals(Set.of("a1"), s.callerKeys().get(0).agents());
        assertTrue(s.callerKeys().get(0).rules().deniedReason("GET", "http://other/", Map.of()).isPresent());
        assertTrue(s.callerKeys().get(1).key().matches(KeyDigest.digest("ops-key")));
        assertTrue(s.requireCallerAuth(), "required by default once a caller key exists");
        assertFalse(s.toString().contains("a1-key") || s.toString().contains("ci-key"), s.toString());
    }

    @Test
    void callerAuthIsNotRequiredByDefaultWhileThereIsNoKey() {
        assertFalse(load(Map.of(), Map.of()).requireCallerAuth());
        assertTrue(load(Map.of("wsp.requireCallerAuth", "true"), Map.of()).requireCallerAuth());
        assertFalse(load(Map.of("wsp.callerKeys", "k1", "wsp.requireCallerAuth", "false"), Map.of()).requireCallerAuth());
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.requireCallerAuth", "yes"), Map.of()));
    }

    @Test
    void callerKeysFromTheEnvironmentAreAddedToTheYamlOnesForEveryAgent() throws Exception {
        Path file = dir.resolve("wsp.yaml");
        Files.writeString(file, AUTH_YAML.formatted(sha256Hex("a2-key"), sha256Hex("ops-key")));
        ServerSettings s = load(Map.of("wsp.config", file.toString()), Map.of("WSP_CALLER_KEYS", "k1, k2"));
        assertEquals(List.of("ci", "ops", "callerKeys-1", "callerKeys-2"),
                s.callerKeys().stream().map(CallerKey::name).toList());
        assertTrue(s.callerKeys().get(3).key().matches(KeyDigest.digest("k2")));
        assertTrue(s.callerKeys().get(3).agents().isEmpty());
    }

    @Test
    void aConfigFilePackagedInTheWarIsReadWhenWspConfigNamesNone() throws Exception {
        Map<String, String> war = Map.of("wsp.yaml", "timeout: 777\n");
        Function<String, InputStream> resources = path -> war.containsKey(path)
                ? new ByteArrayInputStream(war.get(path).getBytes(StandardCharsets.UTF_8)) : null;
        assertEquals(Duration.ofMillis(777), new SettingsLoader(Map.<String, String>of()::get, Map.<String, String>of()::get,
                resources).load().timeout());
        Path file = dir.resolve("outside.yaml");
        Files.writeString(file, "timeout: 888\n");
        assertEquals(Duration.ofMillis(888), new SettingsLoader(Map.of("wsp.config", file.toString())::get,
                Map.<String, String>of()::get, resources).load().timeout(), "wsp.config wins over the packaged file");
    }

    @Test
    void badAuthEntriesAreRefusedWithoutEchoingTheKey() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "callers:\n  - key: secret-value\n");
        IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
                () -> load(Map.of("wsp.config", file.toString()), Map.of()));
        assertFalse(noName.getMessage().contains("secret-value"), noName.getMessage());
        Files.writeString(file, "agents:\n  - id: a1\n    key: k\n    keySha256: \"%s\"\n".formatted(sha256Hex("k")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.config", file.toString()), Map.of()))
                .getMessage().contains("agents[0] needs exactly one of key and keySha256"));
        Files.writeString(file, "agents:\n  - id: a1\n    keySha256: \"abc\"\n");
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("wsp.config", file.toString()), Map.of()));
    }

    @Test
    void theAdminKeyComesFromPropertyEnvironmentOrYamlAndIsNeverPrinted() throws Exception {
        assertEquals(null, load(Map.of(), Map.of()).adminKey(), "none by default: admin pages stay open");
        ServerSettings s = load(Map.of(), Map.of("WSP_ADMIN_KEY", "ops-secret"));
        assertTrue(s.adminKey().matches(KeyDigest.digest("ops-secret")));
        assertFalse(s.toString().contains("ops-secret"), s.toString());
        Path yaml = dir.resolve("admin.yaml");
        Files.writeString(yaml, "adminKey: from-yaml\n");
        assertTrue(load(Map.of("wsp.config", yaml.toString()), Map.of()).adminKey().matches(KeyDigest.digest("from-yaml")));
        assertTrue(load(Map.of("wsp.config", yaml.toString(), "wsp.adminKey", "prop"), Map.of()).adminKey()
                .matches(KeyDigest.digest("prop")));
    }
}
