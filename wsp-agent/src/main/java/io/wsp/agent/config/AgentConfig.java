package io.wsp.agent.config;

import io.wsp.protocol.Greeting;
import io.wsp.protocol.WspProtocol;
import io.wsp.rules.RuleSet;
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
    private final int poolIdleSize;
    private final int poolMaxSize;
    private final RuleSet rules;
    private final Duration pingInterval;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Path trustStore;
    private final Path keyStore;
    private final SSLContext sslContext;

    private AgentConfig(Builder b) {
        this.id = b.id != null ? b.id : UUID.randomUUID().toString();
        this.servers = List.copyOf(b.servers);
        this.secretKey = b.secretKey != null ? b.secretKey : "";
        this.poolIdleSize = b.poolIdleSize != null ? b.poolIdleSize : DEFAULT_POOL_IDLE_SIZE;
        this.poolMaxSize = b.poolMaxSize != null ? b.poolMaxSize : DEFAULT_POOL_MAX_SIZE;
        this.rules = b.rules != null ? b.rules : RuleSet.allowAll();
        this.pingInterval = b.pingInterval != null ? b.pingInterval : DEFAULT_PING_INTERVAL;
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

    /** Idle connections kept open per server. */
    public int poolIdleSize() {
        return poolIdleSize;
    }

    /** Upper bound of connections per server, counting those still opening. */
    public int poolMaxSize() {
        return poolMaxSize;
    }

    /** Which destinations requests may reach. */
    public RuleSet rules() {
        return rules;
    }

    /** Silence after which an idle connection is pinged; twice that closes it. Zero: no pings. */
    public Duration pingInterval() {
        return pingInterval;
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
        private Integer poolIdleSize;
        private Integer poolMaxSize;
        private RuleSet rules;
        private Duration pingInterval;
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

        public Builder rules(RuleSet rules) {
            if (rules != null) {
                this.rules = rules;
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
