package io.wsp.server.config;

import io.wsp.rules.RuleSet;
import io.wsp.server.auth.AgentKey;
import io.wsp.server.auth.CallerKey;
import io.wsp.server.auth.KeyDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Builds {@link ServerSettings} from, in rising precedence: defaults, a YAML file (the Go wsp
 * server's format, plus wsp's own keys), then each setting's system property {@code wsp.<name>} or
 * environment variable {@code WSP_<NAME>}. The YAML file is the one named by {@code wsp.config},
 * else {@value #PACKAGED_CONFIG} on the WAR's class path ({@code WEB-INF/classes}) when there is one.
 */
public final class SettingsLoader {

    private static final System.Logger LOG = System.getLogger(SettingsLoader.class.getName());

    /** Lets a deployment carry its own settings, e.g. a WAR rebuilt with its keys. */
    static final String PACKAGED_CONFIG = "wsp.yaml";

    private final UnaryOperator<String> systemProperties;
    private final UnaryOperator<String> environment;
    private final Function<String, InputStream> warResources;
    /** Guarded by this; null until first needed. */
    private Map<String, Object> configFile;

    /** {@code warResources} opens a resource on the WAR's class path, or gives null when there is none. */
    public SettingsLoader(UnaryOperator<String> systemProperties, UnaryOperator<String> environment,
                          Function<String, InputStream> warResources) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.warResources = warResources;
    }

    public static SettingsLoader fromSystem(Function<String, InputStream> warResources) {
        return new SettingsLoader(System::getProperty, System::getenv, warResources);
    }

    public ServerSettings load() {
        String secretKey = "";
        Duration timeout = ServerSettings.DEFAULT_TIMEOUT;
        Duration idleTimeout = ServerSettings.DEFAULT_IDLE_TIMEOUT;
        Duration responseTimeout = ServerSettings.DEFAULT_RESPONSE_TIMEOUT;
        RuleSet rules = RuleSet.allowAll();
        List<AgentKey> agentKeys = List.of();
        List<CallerKey> callerKeys = new ArrayList<>();
        Object requireCallerAuth = null;
        Object maxHeaderBytes = null;
        Object maxRequestBodyBytes = null;
        String adminKey = null;

        Map<String, Object> file = configFile();
        if (!file.isEmpty()) {
            secretKey = string(file, "secretkey", secretKey);
            timeout = millis(file.get("timeout"), "timeout", timeout);
            idleTimeout = millis(file.get("idletimeout"), "idletimeout", idleTimeout);
            rules = RuleSet.fromConfig(list(file, "whitelist"), list(file, "blacklist"));
            agentKeys = AuthEntries.agents(list(file, "agents"));
            callerKeys.addAll(AuthEntries.callers(list(file, "callers")));
            requireCallerAuth = file.get("requirecallerauth");
            maxHeaderBytes = file.get("maxheaderbytes");
            maxRequestBodyBytes = file.get("maxrequestbodybytes");
            adminKey = string(file, "adminkey", null);
            for (String ignored : List.of("host", "port")) {
                if (file.containsKey(ignored)) {
                    LOG.log(System.Logger.Level.INFO, "wsp config: ''{0}'' ignored: the container owns the listener", ignored);
                }
            }
        }
        String s = setting("secretKey");
        if (s != null) {
            secretKey = s;
        }
        String keyList = setting("callerKeys");
        if (keyList != null) {
            callerKeys.addAll(AuthEntries.keyList(keyList));
        }
        String admin = setting("adminKey");
        if (admin != null) {
            adminKey = admin;
        }
        String required = setting("requireCallerAuth");
        if (required != null) {
            requireCallerAuth = required;
        }
        timeout = millis(setting("timeout"), "wsp.timeout", timeout);
        idleTimeout = millis(setting("idleTimeout"), "wsp.idleTimeout", idleTimeout);
        responseTimeout = millis(override(file.get("responsetimeout"), "responseTimeout"), "wsp.responseTimeout", responseTimeout);
        Duration bodyIdleTimeout = millis(override(file.get("bodyidletimeout"), "bodyIdleTimeout"), "wsp.bodyIdleTimeout",
                ServerSettings.DEFAULT_BODY_IDLE_TIMEOUT);
        Duration pingInterval = millis(override(file.get("pinginterval"), "pingInterval"), "wsp.pingInterval",
                ServerSettings.DEFAULT_PING_INTERVAL);
        int maxWaiting = count(override(file.get("maxwaiting"), "maxWaiting"), "wsp.maxWaiting", ServerSettings.DEFAULT_MAX_WAITING);
        long headerBytes = bytes(override(maxHeaderBytes, "maxHeaderBytes"), "wsp.maxHeaderBytes",
                ServerSettings.DEFAULT_MAX_HEADER_BYTES);
        long bodyBytes = bytes(override(maxRequestBodyBytes, "maxRequestBodyBytes"), "wsp.maxRequestBodyBytes",
                ServerSettings.DEFAULT_MAX_REQUEST_BODY_BYTES);
        Duration shutdownGrace = millis(override(file.get("shutdowngrace"), "shutdownGrace"), "wsp.shutdownGrace",
                ServerSettings.DEFAULT_SHUTDOWN_GRACE);
        return new ServerSettings(secretKey, timeout, idleTimeout, responseTimeout, bodyIdleTimeout, pingInterval,
                maxWaiting, (int) Math.min(headerBytes, Integer.MAX_VALUE), bodyBytes, shutdownGrace, rules, agentKeys, callerKeys,
                // Secure by default once any key exists; before that, callers are not locked out.
                flag(requireCallerAuth, "wsp.requireCallerAuth", !callerKeys.isEmpty()),
                adminKey == null || adminKey.isEmpty() ? null : KeyDigest.ofKey(adminKey));
    }

    /**
     * The cluster settings: {@code cluster}, {@code clusterSecret}, {@code clusterUrl},
     * {@code clusterCacheManager}, each from
     * its property or environment variable, else the YAML file.
     */
    public ClusterSettings loadCluster() {
        Map<String, Object> file = configFile();
        boolean enabled = flag(override(file.get("cluster"), "cluster"), "wsp.cluster", false);
        if (!enabled) {
            return ClusterSettings.OFF;
        }
        Object secret = override(file.get("clustersecret"), "clusterSecret");
        Object url = override(file.get("clusterurl"), "clusterUrl");
        Object cacheManager = override(file.get("clustercachemanager"), "clusterCacheManager");
        return new ClusterSettings(true, secret == null ? null : String.valueOf(secret),
                url == null ? null : ClusterSettings.baseUrl(String.valueOf(url)),
                cacheManager == null ? ClusterSettings.DEFAULT_CACHE_MANAGER : String.valueOf(cacheManager));
    }

    /** The setting's property or environment value when set, else {@code fromFile}. */
    private Object override(Object fromFile, String name) {
        String value = setting(name);
        return value != null ? value : fromFile;
    }

    /** The YAML file as read once: both settings records come from it. */
    private synchronized Map<String, Object> configFile() {
        if (configFile == null) {
            configFile = readConfigFile();
        }
        return configFile;
    }

    private Map<String, Object> readConfigFile() {
        String configPath = setting("config");
        if (configPath != null && !configPath.isBlank()) {
            Path path = Path.of(configPath);
            try (Reader reader = Files.newBufferedReader(path)) {
                return readYaml(reader, path.toString());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read wsp config " + path + ": " + e.getMessage(), e);
            }
        }
        try (InputStream packaged = warResources.apply(PACKAGED_CONFIG)) {
            return packaged == null ? Map.of()
                    : readYaml(new InputStreamReader(packaged, StandardCharsets.UTF_8), PACKAGED_CONFIG);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read wsp config " + PACKAGED_CONFIG + ": " + e.getMessage(), e);
        }
    }

    /** {@code secretKey} is read from {@code wsp.secretKey}, then from {@code WSP_SECRET_KEY}. */
    String setting(String name) {
        String value = systemProperties.apply("wsp." + name);
        if (value == null) {
            value = environment.apply("WSP_" + name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        }
        return value;
    }

    private static Map<String, Object> readYaml(Reader reader, String name) {
        try {
            Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            if (root == null) {
                return Map.of();
            }
            if (!(root instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("wsp config " + name + " is not a YAML mapping");
            }
            return lowerKeys(map);
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new IllegalArgumentException("wsp config " + name + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    /** YAML keys are case-insensitive, as in the Go wsp. */
    static Map<String, Object> lowerKeys(Map<?, ?> map) {
        Map<String, Object> lower = new HashMap<>();
        map.forEach((k, v) -> lower.put(String.valueOf(k).toLowerCase(Locale.ROOT), v));
        return lower;
    }

    private static String string(Map<String, Object> file, String key, String fallback) {
        Object v = file.get(key);
        return v == null ? fallback : String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> file, String key) {
        Object v = file.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?>)) {
            throw new IllegalArgumentException("wsp config: " + key + " must be a list");
        }
        return (List<Map<String, Object>>) v;
    }

    private static boolean flag(Object value, String name, boolean fallback) {
        if (value == null) {
            return fallback;
        }
        return switch (String.valueOf(value).trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false: " + value);
        };
    }

    private static int count(Object value, String name, int fallback) {
        long n = value == null ? fallback : nonNegative(value, name, "a whole number");
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " is too large: " + value);
        }
        return (int) n;
    }

    private static long bytes(Object value, String name, long fallback) {
        return value == null ? fallback : nonNegative(value, name, "a number of bytes");
    }

    private static Duration millis(Object value, String name, Duration fallback) {
        return value == null ? fallback : Duration.ofMillis(nonNegative(value, name, "a number of milliseconds"));
    }

    /** A YAML number or a decimal string, at least zero; {@code what} names the unit in the error. */
    private static long nonNegative(Object value, String name, String what) {
        try {
            long n = value instanceof Number number ? number.longValue() : Long.parseLong(String.valueOf(value).trim());
            if (n < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + what + ": " + value, e);
        }
    }
}
