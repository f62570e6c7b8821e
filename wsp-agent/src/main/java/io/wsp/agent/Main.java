package io.wsp.agent;

import io.wsp.agent.config.AgentConfig;
import io.wsp.agent.config.ConfigException;
import io.wsp.agent.config.YamlConfigLoader;
import io.wsp.protocol.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * The {@code wsp-agent} command: builds the configuration (flags, then the {@code WSP_*} password
 * variables, then the config file) and runs an {@link Agent} until the JVM is stopped.
 */
@Command(name = "wsp-agent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Dials out to wsp servers over WebSocket and performs the HTTP requests they send.")
public final class Main implements Callable<Integer> {

    /** Environment variable holding the secret key, so it stays out of the process list. */
    static final String SECRET_KEY_ENV = "WSP_SECRET_KEY";

    /** Environment variables holding the store passwords, for the same reason. */
    static final String TRUSTSTORE_PASSWORD_ENV = "WSP_TRUSTSTORE_PASSWORD";
    static final String KEYSTORE_PASSWORD_ENV = "WSP_KEYSTORE_PASSWORD";

    private static final String LOG_FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    @Option(names = "--server", paramLabel = "URL", description = "wsp server to dial (ws:// or wss://); repeatable")
    List<String> servers;

    @Option(names = "--id", paramLabel = "NAME", description = "agent id (default: a random UUID)")
    String id;

    @Option(names = "--secret-key", paramLabel = "KEY", description = "shared secret (or env " + SECRET_KEY_ENV + ")")
    String secretKey;

    @Option(names = "--label", paramLabel = "KEY=VALUE",
            description = "a label callers can select this agent by (X-PROXY-AGENT-SELECTOR); repeatable")
    List<String> labels = new ArrayList<>();

    @Option(names = "--pool-idle", paramLabel = "N", description = "idle connections per server (default 10)")
    Integer poolIdle;

    @Option(names = "--pool-max", paramLabel = "N", description = "maximum connections per server (default 100)")
    Integer poolMax;

    @Option(names = "--config", paramLabel = "FILE", description = "Go wsp client YAML file (flags override it)")
    Path configFile;

    @Option(names = "--truststore", paramLabel = "FILE",
            description = "trust store for wss:// server certificates (.jks, else PKCS12; default: the JVM's)")
    Path trustStore;

    @Option(names = "--truststore-password", paramLabel = "PASSWORD",
            description = "its password (or env " + TRUSTSTORE_PASSWORD_ENV + ")")
    String trustStorePassword;

    @Option(names = "--keystore", paramLabel = "FILE",
            description = "key store with the client certificate for servers that ask for one (.jks, else PKCS12)")
    Path keyStore;

    @Option(names = "--keystore-password", paramLabel = "PASSWORD",
            description = "its password, also that of the key (or env " + KEYSTORE_PASSWORD_ENV + ")")
    String keyStorePassword;
    @Option(names = "--allow", paramLabel = "URL-REGEX",
            description = "allow destination URLs in which this regex is found (anchor it: ^http://api:8081/); repeatable")
    List<String> allowUrls;

    @Option(names = "--allow-cidr", paramLabel = "CIDR",
            description = "allow destinations whose host resolves into this IPv4 or IPv6 range; repeatable")
    List<String> allowCidrs;

    @Option(names = "--allow-all",
            description = "allow every destination no blacklist rule denies (without it and any allow rule, every request is refused)")
    boolean allowAll;

    @Option(names = "--admin-port", paramLabel = "PORT",
            description = "serve /health/live, /health/ready and /metrics on this port (default: off; 0: any free port)")
    Integer adminPort;

    @Option(names = "--admin-address", paramLabel = "HOST",
            description = "address the admin port binds to (default 127.0.0.1)")
    String adminAddress;

    @Option(names = "--ping-interval", paramLabel = "SECONDS", defaultValue = "15",
            description = "ping an idle connection after this much silence; close it after twice that (0: never; default 15)")
    long pingIntervalSeconds;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "how long connecting to an internal API may take (default 10)")
    long connectTimeoutSeconds;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "50",
            description = "how long an internal API may take to send its response head once it has the request (0: no limit; default 50)")
    long requestTimeoutSeconds;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "30",
            description = "on SIGTERM/SIGINT, how long requests in flight may take to finish (default 30)")
    long shutdownGraceSeconds;

    private final Map<String, String> env;

    public Main() {
        this(System.getenv());
    }

    Main(Map<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        if (System.getProperty(LOG_FORMAT_PROPERTY) == null) {
            System.setProperty(LOG_FORMAT_PROPERTY, "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(commandLine(new Main()).execute(args));
    }

    /** The picocli command with one-line errors and exit code 2 for any bad flag or configuration. */
    static CommandLine commandLine(Main main) {
        CommandLine cmd = new CommandLine(main);
        cmd.setParameterExceptionHandler((e, args) -> usageError(e.getCommandLine().getErr(), e.getMessage()));
        cmd.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof ConfigException) {
                return usageError(command.getErr(), e.getMessage());
            }
            throw e;
        });
        return cmd;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (shutdownGraceSeconds < 0) {
            throw new ConfigException("--shutdown-grace must not be negative");
        }
        Agent agent = Agent.start(config());
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable drain = () -> {
            agent.shutdown(Duration.ofSeconds(shutdownGraceSeconds));
            stopped.countDown();
        };
        // A signal handler rather than a shutdown hook: a hook cannot make the exit status 0, and
        // an orderly stop on SIGTERM is not a failure.
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> new Thread(drain, "wsp-agent-shutdown").start());
        }
        // Any other way the JVM ends still closes the connections.
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "wsp-agent-exit"));
        stopped.await();
        return 0;
    }

    /** The --label flags, replacing the file's labels when any is given. */
    private Labels labels() {
        if (labels.isEmpty()) {
            return null;
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        try {
            for (String flag : labels) {
                Map.Entry<String, String> pair = Labels.parsePair(flag);
                if (pairs.put(pair.getKey(), pair.getValue()) != null) {
                    throw new IllegalArgumentException("label '" + pair.getKey() + "' given twice");
                }
            }
            return Labels.of(pairs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--label: " + e.getMessage());
        }
    }

    /** The configuration from file, environment and flags; throws {@link ConfigException}. */
    AgentConfig config() {
        AgentConfig.Builder builder = configFile != null ? YamlConfigLoader.load(configFile) : AgentConfig.builder();
        builder.secretKey(env.get(SECRET_KEY_ENV))
                .trustStorePassword(env.get(TRUSTSTORE_PASSWORD_ENV))
                .keyStorePassword(env.get(KEYSTORE_PASSWORD_ENV));
        builder.id(id)
                .servers(servers)
                .secretKey(secretKey)
                .labels(labels())
                .trustStore(trustStore)
                .trustStorePassword(trustStorePassword)
                .keyStore(keyStore)
                .keyStorePassword(keyStorePassword)
                .poolIdleSize(poolIdle)
                .poolMaxSize(poolMax)
                .pingInterval(Duration.ofSeconds(pingIntervalSeconds))
                .adminPort(adminPort)
                .adminHost(adminAddress)
                .connectTimeout(Duration.ofSeconds(connectTimeoutSeconds))
                .requestTimeout(Duration.ofSeconds(requestTimeoutSeconds))
                .allowAll(allowAll ? Boolean.TRUE : null);
        if (allowUrls != null) {
            allowUrls.forEach(builder::allowUrl);
        }
        if (allowCidrs != null) {
            allowCidrs.forEach(builder::allowCidr);
        }
        return builder.build();
    }

    private static int usageError(PrintWriter err, String message) {
        err.println("wsp-agent: " + message.lines().findFirst().orElse(message) + " (see --help)");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** The version Maven wrote into {@code version.properties} at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"wsp-agent " + p.getProperty("version", "unknown")};
        }
    }
}
