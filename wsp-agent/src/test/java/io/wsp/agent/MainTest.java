package io.wsp.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.agent.config.AgentConfig;
import io.wsp.agent.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    @Test
    void flagsOverrideTheConfigFile() throws IOException {
        Path file = configFile("id: from-file\ntargets: [ws://file/register]\npoolidlesize: 1\npoolmaxsize: 2\n"
                + "secretkey: file-key\n");

        AgentConfig config = parse(Map.of(), "--config", file.toString(), "--server", "ws://flag/register",
                "--id", "from-flag", "--pool-idle", "3", "--pool-max", "4", "--secret-key", "flag-key");

        assertEquals("from-flag", config.id());
        assertEquals(List.of(URI.create("ws://flag/register")), config.servers());
        assertEquals(3, config.poolIdleSize());
        assertEquals(4, config.poolMaxSize());
        assertEquals("flag-key", config.secretKey());
    }

    @Test
    void theFileFillsWhatFlagsLeaveOut() throws IOException {
        Path file = configFile("targets: [ws://file/register]\npoolmaxsize: 20\n");

        AgentConfig config = parse(Map.of(), "--config", file.toString(), "--pool-idle", "5");

        assertEquals(List.of(URI.create("ws://file/register")), config.servers());
        assertEquals(5, config.poolIdleSize());
        assertEquals(20, config.poolMaxSize());
    }

    @Test
    void secretKeyComesFromFlagThenEnvironmentThenFile() throws IOException {
        Path file = configFile("targets: [ws://h/r]\nsecretkey: file-key\n");
        Map<String, String> env = Map.of(Main.SECRET_KEY_ENV, "env-key");

        assertEquals("file-key", parse(Map.of(), "--config", file.toString()).secretKey());
        assertEquals("env-key", parse(env, "--config", file.toString()).secretKey());
        assertEquals("flag-key", parse(env, "--config", file.toString(), "--secret-key", "flag-key").secretKey());
    }

    @Test
    void timeoutsDefaultToTenAndFiftySecondsAndComeFromFlags() {
        AgentConfig defaults = parse(Map.of(), "--server", "ws://h/r");
        AgentConfig set = parse(Map.of(), "--server", "ws://h/r", "--connect-timeout", "2", "--request-timeout", "0");

        assertEquals(Duration.ofSeconds(10), defaults.connectTimeout());
        assertEquals(Duration.ofSeconds(50), defaults.requestTimeout());
        assertEquals(Duration.ofSeconds(2), set.connectTimeout());
        assertEquals(Duration.ZERO, set.requestTimeout());
    }

    @Test
    void aZeroConnectTimeoutExitsWithTwo() {
        assertUsageError("connect timeout must be positive", "--server", "ws://h/r", "--connect-timeout", "0");
    }

    @Test
    void aNegativeRequestTimeoutExitsWithTwo() {
        assertUsageError("request timeout must not be negative", "--server", "ws://h/r", "--request-timeout", "-1");
    }

    @Test
    void poolIdleAbovePoolMaxExitsWithTwo() {
        assertUsageError("must not exceed", "--server", "ws://h/r", "--pool-idle", "5", "--pool-max", "4");
    }

    @Test
    void negativePoolIdleExitsWithTwo() {
        assertUsageError("negative", "--server", "ws://h/r", "--pool-idle", "-1");
    }

    @Test
    void noServerExitsWithTwo() {
        assertUsageError("no server", "--id", "a");
    }

    @Test
    void anHttpServerUrlExitsWithTwo() {
        assertUsageError("ws://", "--server", "http://h/register");
    }

    @Test
    void aNonNumericPoolSizeExitsWithTwo() {
        assertUsageError("--pool-idle", "--server", "ws://h/r", "--pool-idle", "many");
    }

    @Test
    void anUnknownFlagExitsWithTwo() {
        assertUsageError("--bogus", "--bogus");
    }

    @Test
    void unreadableYamlExitsWithTwo() throws IOException {
        Path file = configFile("targets: [ws://h/r\n");

        assertUsageError("not valid YAML", "--config", file.toString());
    }

    @Test
    void errorsNeverEchoTheSecret() {
        assertUsageError("no server", "--secret-key", "s3cr3t");
        assertFalse(err.toString().contains("s3cr3t"));
    }

    @Test
    void storePasswordsComeFromFlagThenEnvironment() throws Exception {
        Path keys = TestStores.keyStore(dir.resolve("agent.p12"), "right-pw", "agent", "dns:agent.example");
        Path trust = TestStores.trustStore(dir.resolve("trust.p12"), "right-pw", keys, "right-pw");
        Map<String, String> env = Map.of(Main.TRUSTSTORE_PASSWORD_ENV, "right-pw", Main.KEYSTORE_PASSWORD_ENV, "right-pw");
        String[] stores = {"--server", "wss://h/r", "--truststore", trust.toString(), "--keystore", keys.toString()};

        assertTrue(parse(env, stores).tlsSummary().contains("client certificate from keystore " + keys));
        assertThrows(ConfigException.class, () -> parse(env, append(stores, "--keystore-password", "wrong-pw")));
        assertThrows(ConfigException.class, () -> parse(env, append(stores, "--truststore-password", "wrong-pw")));
    }

    @Test
    void aWrongStorePasswordExitsWithTwoAndIsNotEchoed() throws Exception {
        Path keys = TestStores.keyStore(dir.resolve("agent.p12"), "right-pw", "agent", "dns:agent.example");

        assertUsageError("keystore password was incorrect", "--server", "wss://h/r",
                "--keystore", keys.toString(), "--keystore-password", "wrong-pw");
        assertFalse(err.toString().contains("wrong-pw"));
    }

    @Test
    void aMissingTruststoreExitsWithTwo() {
        assertUsageError("no such file", "--server", "wss://h/r", "--truststore", dir.resolve("absent.p12").toString());
    }

    @Test
void allowFlagsAddWhitelistRulesAfterTheFilesOwn() throws IOException {
        Path file = configFile("targets: [ws://h/r]\nwhitelist:\n  - host: api\\.internal\n    port: 8081\n");

        AgentConfig config = parse(Map.of(), "--config", file.toString(), "--allow", "^http://127\\.0\\.0\\.1:8081/",
                "--allow-cidr", "10.0.0.0/8", "--allow-cidr", "fd00::/8");

        assertEquals(4, config.rules().whitelistSize());
        assertFalse(config.allowAll());
        assertTrue(config.rules().deniedReason("GET", "http://127.0.0.1:8081/x", Map.of()).isEmpty());
        assertTrue(config.rules().deniedReason("GET", "http://[fd00::1]/", Map.of()).isEmpty());
    }

    @Test
    void withoutAllowFlagsNothingIsAllowed() {
        AgentConfig config = parse(Map.of(), "--server", "ws://h/r");

        assertEquals(0, config.rules().whitelistSize());
        assertFalse(config.allowAll());
    }

    @Test
    void allowAllComesFromTheFlagOrTheFile() throws IOException {
        assertTrue(parse(Map.of(), "--server", "ws://h/r", "--allow-all").allowAll());
        Path file = configFile("targets: [ws://h/r]\nallowall: true\nblacklist:\n  - cidr: 10.0.0.0/8\n");
        AgentConfig config = parse(Map.of(), "--config", file.toString());
        assertTrue(config.allowAll());
        assertEquals(1, config.rules().blacklistSize());
    }

    @Test
    void anInvalidAllowRegexExitsWithTwo() {
        assertUsageError("--allow (: invalid url regex", "--server", "ws://h/r", "--allow", "(");
    }

    @Test
    void anAllowCidrWithHostBitsExitsWithTwo() {
        assertUsageError("--allow-cidr: CIDR has bits set after its prefix", "--server", "ws://h/r",
                "--allow-cidr", "10.0.0.1/8");
    }

    @Test
    void anAllowCidrThatIsANameExitsWithTwo() {
        assertUsageError("--allow-cidr: not an IP address", "--server", "ws://h/r", "--allow-cidr", "intranet");
    }

    @Test
    void allowAllWithAnAllowRuleExitsWithTwo() {
        assertUsageError("allow-all cannot be combined", "--server", "ws://h/r", "--allow-all", "--allow-cidr", "10.0.0.0/8");
    }

    @Test
    void anInvalidRuleInTheFileExitsWithTwo() throws IOException {
        Path file = configFile("targets: [ws://h/r]\nblacklist:\n  - port: 70000\n");

        assertUsageError("blacklist[0]: port must be", "--config", file.toString());
    }

    @Test
    void helpExitsWithZero() {
        CommandLine cmd = Main.commandLine(new Main(Map.of()));
        StringWriter out = new StringWriter();
        cmd.setOut(new PrintWriter(out));

        assertEquals(0, cmd.execute("--help"));
        assertTrue(out.toString().contains("--pool-idle"));
        assertTrue(out.toString().contains("--allow-cidr"));
    }

    private AgentConfig parse(Map<String, String> env, String... args) {
        Main main = new Main(env);
        new CommandLine(main).parseArgs(args);
        return main.config();
    }

    private static String[] append(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private void assertUsageError(String expected, String... args) {
        CommandLine cmd = Main.commandLine(new Main(Map.of()));
        cmd.setErr(new PrintWriter(err));

        int code = cmd.execute(args);

        assertEquals(2, code);
        String message = err.toString();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("wsp-agent: ") && message.contains(expected), message);
    }

    private Path configFile(String yaml) throws IOException {
        Path file = dir.resolve("wsp_client.cfg");
        Files.writeString(file, yaml);
        return file;
    }
}
