package io.wsp.agent.config;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.WspProtocol;
import io.wsp.protocol.Labels;
import io.wsp.rules.Rule;
import io.wsp.rules.RuleSet;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * Everything the agent needs to run, validated when built: an {@code AgentConfig} that exists is
 * usable. Build one with {@link #builder()}; unset values take the Go wsp client's defaults.
 */
public final class AgentConfig {

    /** The Go wsp client's default idle pool size. */
    public static final int DEFAULT_POOL_IDLE_SIZE = 10;

    /** The Go wsp client's default maximum pool size. */
    public static final int DEFAULT_POOL_MAX_SIZE = 100;

    /** A dead server is noticed within two of these, without costing anything worth measuring. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(15);

    /** An unreachable internal API fails after this instead of holding its connection for long. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Below the server's default response timeout (60 s), so a slow internal API is reported as such
     * (a 504 naming it) before the server gives up on the agent connection itself.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(50);

    private final String id;
    private final List<URI> servers;
    private final String secretKey;
    private final Labels labels;
    private final int poolIdleSize;
    private final int poolMaxSize;
    private final RuleSet rules;
    private final boolean allowAll;
    private final Duration pingInterval;
    private final InetSocketAddress adminAddress;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Path trustStore;
    private final Path keyStore;
    private final SSLContext sslContext;

    private AgentConfig(Builder b) {
        this.id = b.id != null ? b.id : UUID.randomUUID().toString();
        this.servers = List.copyOf(b.servers);
        this.secretKey = b.secretKey != null ? b.secretKey : "";
        this.labels = b.labels;
        this.poolIdleSize = b.poolIdleSize != null ? b.poolIdleSize : DEFAULT_POOL_IDLE_SIZE;
        this.poolMaxSize = b.poolMaxSize != null ? b.poolMaxSize : DEFAULT_POOL_MAX_SIZE;
        this.rules = (b.rules != null ? b.rules : RuleSet.allowAll()).withWhitelisted(b.allowed);
        this.allowAll = b.allowAll != null && b.allowAll;
        this.pingInterval = b.pingInterval != null ? b.pingInterval : DEFAULT_PING_INTERVAL;
        this.adminAddress = b.adminPort == null ? null
                : new InetSocketAddress(b.adminHost != null ? b.adminHost : "127.0.0.1", b.adminPort);
        this.connectTimeout = b.connectTimeout != null ? b.connectTimeout : DEFAULT_CONNECT_TIMEOUT;
        this.requestTimeout = b.requestTimeout != null ? b.requestTimeout : DEFAULT_REQUEST_TIMEOUT;
        this.trustStore = b.trustStore;
        this.keyStore = b.keyStore;
        // The stores are read once, here; their passwords go no further.
        this.sslContext = TlsContexts.create(storeFile("truststore", b.trustStore, b.trustStorePassword),
                storeFile("keystore", b.keyStore, b.keyStorePassword));
    }

    private static StoreFile storeFile(String role, Path path, String password) {
        return path == null ? null : new StoreFile(role, path, password == null ? null : password.toCharArray());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The agent id announced in the greeting; a random UUID when none was configured. */
    public String id() {
        return id;
    }

    /** The wsp servers to dial, each a ws:// or wss:// URI. */
    public List<URI> servers() {
        return servers;
    }

    /** The shared registration secret; empty when none is configured. Never log it. */
    public String secretKey() {
        return secretKey;
    }

    /** Announced at each handshake, for callers that pick agents by label. */
    public Labels labels() {
        return labels;
    }

    /** Idle connections kept open per server. */
    public int poolIdleSize() {
        return poolIdleSize;
    }

    /** Upper bound of connections per server, counting those still opening. */
    public int poolMaxSize() {
        return poolMaxSize;
    }

    /** Which destinations requests may reach: the file's rules and the allow flags'. */
    public RuleSet rules() {
        return rules;
    }

    /**
     * Whether an empty whitelist allows every destination (the blacklist still applies). False by
     * default: an agent without an allow rule refuses everything.
     */
    public boolean allowAll() {
        return allowAll;
    }

    /** Silence after which an idle connection is pinged; twice that closes it. Zero: no pings. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** Where the admin port (health and metrics) listens; null when it is off. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** How long connecting to an internal API may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * How long an internal API may take to send its response head once it has the whole request.
     * Zero: no limit of the agent's own (the server's response timeout still applies).
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * The TLS context {@code wss://} servers are dialled with, built once from the configured stores;
     * the JVM's default context when no store is configured.
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** Where trust and the client certificate come from, for the log; never a password. */
    public String tlsSummary() {
        return (trustStore == null ? "JVM default trust" : "truststore " + trustStore)
                + (keyStore == null ? ", no client certificate" : ", client certificate from keystore " + keyStore);
    }

    @Override
    public String toString() {
        return "AgentConfig[id=" + id + ", servers=" + servers + ", poolIdleSize=" + poolIdleSize
                + ", poolMaxSize=" + poolMaxSize + ", secretKey=" + (secretKey.isEmpty() ? "none" : "set")
                + ", labels=" + labels
                + ", allow=" + rules.whitelistSize() + ", deny=" + rules.blacklistSize() + ", allowAll=" + allowAll
                + ", tls=" + tlsSummary() + "]";
    }

    /**
     * Collects settings from several sources; a later call overrides an earlier one, and a
     * {@code null} argument leaves the current value, so file, environment and flags can be layered.
     */
    public static final class Builder {

        private String id;
        private final List<URI> servers = new ArrayList<>();
        private String secretKey;
        private Labels labels = Labels.NONE;
        private Integer poolIdleSize;
        private Integer poolMaxSize;
        private RuleSet rules;
        private final List<Rule> allowed = new ArrayList<>();
        private Boolean allowAll;
        private Duration pingInterval;
        private Integer adminPort;
        private String adminHost;
        private Duration connectTimeout;
        private Duration requestTimeout;
        private Path trustStore;
        private String trustStorePassword;
        private Path keyStore;
        private String keyStorePassword;

        private Builder() {
        }

        public Builder id(String id) {
            if (id != null) {
                this.id = id;
            }
            return this;
        }

        /** Replaces the server list, unless {@code servers} is null or empty. */
        public Builder servers(List<String> servers) {
            if (servers != null && !servers.isEmpty()) {
                this.servers.clear();
                servers.forEach(this::server);
            }
            return this;
        }

        /** Adds one server; throws {@link ConfigException} unless it is a ws:// or wss:// URL. */
        public Builder server(String url) {
            this.servers.add(parseServer(url));
            return this;
        }

        public Builder secretKey(String secretKey) {
            if (secretKey != null) {
                this.secretKey = secretKey;
            }
            return this;
        }

        /** Replaces the labels; null leaves them. */
        public Builder labels(Labels labels) {
            if (labels != null) {
                this.labels = labels;
            }
            return this;
        }

        public Builder poolIdleSize(Integer poolIdleSize) {
            if (poolIdleSize != null) {
                this.poolIdleSize = poolIdleSize;
            }
            return this;
        }

        public Builder poolMaxSize(Integer poolMaxSize) {
            if (poolMaxSize != null) {
                this.poolMaxSize = poolMaxSize;
            }
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            if (pingInterval != null) {
                this.pingInterval = pingInterval;
            }
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            if (connectTimeout != null) {
                this.connectTimeout = connectTimeout;
            }
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            if (requestTimeout != null) {
                this.requestTimeout = requestTimeout;
            }
            return this;
        }

        /** The trust store servers' certificates are checked against, instead of the JVM's default. */
        public Builder trustStore(Path trustStore) {
            if (trustStore != null) {
                this.trustStore = trustStore;
            }
            return this;
        }

        public Builder trustStorePassword(String trustStorePassword) {
            if (trustStorePassword != null) {
                this.trustStorePassword = trustStorePassword;
            }
            return this;
        }

        /** The key store holding the client certificate (and its key) presented to servers that ask. */
        public Builder keyStore(Path keyStore) {
            if (keyStore != null) {
                this.keyStore = keyStore;
            }
            return this;
        }

        public Builder keyStorePassword(String keyStorePassword) {
            if (keyStorePassword != null) {
                this.keyStorePassword = keyStorePassword;
            }
            return this;
        }

        /** Replaces the rules (a config file's whitelist and blacklist). */
        public Builder rules(RuleSet rules) {
            if (rules != null) {
                this.rules = rules;
            }
            return this;
        }

        /**
         * Adds a whitelist rule allowing URLs in which {@code regex} is found; throws
         * {@link ConfigException} for an invalid regex.
         */
        public Builder allowUrl(String regex) {
            try {
                allowed.add(Rule.ofUrl(regex));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--allow " + regex + ": " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * Adds a whitelist rule allowing destinations that resolve into {@code cidr}; throws
         * {@link ConfigException} unless it is an IPv4 or IPv6 address or range.
         */
        public Builder allowCidr(String cidr) {
            try {
                allowed.add(Rule.ofCidr(cidr));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--allow-cidr: " + e.getMessage(), e);
            }
            return this;
        }

        public Builder allowAll(Boolean allowAll) {
            if (allowAll != null) {
                this.allowAll = allowAll;
            }
            return this;
        }

        /** Turns the admin port on (0: any free port); null leaves it. */
        public Builder adminPort(Integer adminPort) {
            if (adminPort != null) {
                this.adminPort = adminPort;
            }
            return this;
        }

        /** The address the admin port binds to; loopback unless given. */
        public Builder adminHost(String adminHost) {
            if (adminHost != null) {
                this.adminHost = adminHost;
            }
            return this;
        }

        /** Validates and builds; throws {@link ConfigException} with a one-line reason. */
        public AgentConfig build() {
            if (trustStorePassword != null && trustStore == null) {
                throw new ConfigException("a truststore password is set but no truststore (--truststore)");
            }
            if (keyStorePassword != null && keyStore == null) {
                throw new ConfigException("a keystore password is set but no keystore (--keystore)");
            }
            if (adminPort != null && (adminPort < 0 || adminPort > 65535)) {
                throw new ConfigException("admin port must be 0-65535");
            }
            if (adminHost != null && adminPort == null) {
                throw new ConfigException("an admin address is set but no admin port (--admin-port)");
            }
            AgentConfig config = new AgentConfig(this);
            if (config.servers.isEmpty()) {
                throw new ConfigException("no server given (--server ws://host:port/register)");
            }
            if (config.poolIdleSize < 0) {
                throw new ConfigException("pool idle size must not be negative");
            }
            if (config.poolMaxSize < 1 || config.poolMaxSize > WspProtocol.MAX_POOL_SIZE) {
                throw new ConfigException("pool max size must be 1-" + WspProtocol.MAX_POOL_SIZE);
            }
            if (config.pingInterval.isNegative()) {
                throw new ConfigException("ping interval must not be negative");
            }
            if (config.connectTimeout.isNegative() || config.connectTimeout.isZero()) {
                throw new ConfigException("connect timeout must be positive");
            }
            if (config.requestTimeout.isNegative()) {
                throw new ConfigException("request timeout must not be negative");
            }
            if (config.poolIdleSize > config.poolMaxSize) {
                throw new ConfigException("pool idle size (" + config.poolIdleSize
                        + ") must not exceed pool max size (" + config.poolMaxSize + ")");
            }
            try {
                new Greeting(config.id, config.poolIdleSize);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e);
            }
            if (config.allowAll && config.rules.whitelistSize() > 0) {
                throw new ConfigException("allow-all cannot be combined with allow rules (whitelist, --allow,"
                        + " --allow-cidr): it would make them meaningless");
            }
            if (config.secretKey.indexOf('\r') >= 0 || config.secretKey.indexOf('\n') >= 0) {
                throw new ConfigException("secret key must not contain line breaks");
            }
            return config;
        }

        private static URI parseServer(String url) {
            Objects.requireNonNull(url, "url");
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new ConfigException("invalid server URL " + url + ": " + e.getReason(), e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new ConfigException("server URL must start with ws:// or wss://: " + url);
            }
            if (uri.getHost() == null) {
                throw new ConfigException("server URL has no host: " + url);
            }
            return uri;
        }
    }
}
