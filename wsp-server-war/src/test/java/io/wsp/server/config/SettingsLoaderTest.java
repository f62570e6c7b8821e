package io.wsp.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {

    @TempDir
    Path dir;

    private static ServerSettings load(Map<String, String> props, Map<String, String> env) {
        return new SettingsLoader(props::get, env::get).load();
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
        assertTrue(s.rules().isEmpty());
    }

    @Test
    void environmentVariablesUseUpperSnakeCase() {
        ServerSettings s = load(Map.of(), Map.of("WSP_SECRET_KEY", "k", "WSP_TIMEOUT", "250", "WSP_IDLE_TIMEOUT", "5000",
                "WSP_RESPONSE_TIMEOUT", "7000", "WSP_MAX_WAITING", "12", "WSP_PING_INTERVAL", "0", "WSP_BODY_IDLE_TIMEOUT", "9000"));
        assertEquals("k", s.secretKey());
        assertEquals(Duration.ofMillis(250), s.timeout());
        assertEquals(Duration.ofMillis(5000), s.idleTimeout());
        assertEquals(Duration.ofMillis(7000), s.responseTimeout());
        assertEquals(12, s.maxWaiting());
        assertEquals(Duration.ZERO, s.pingInterval(), "0 turns pings off");
        assertEquals(Duration.ofMillis(9000), s.bodyIdleTimeout());
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
        assertTrue(s.secretKeyRequired());
    }
}
