package io.wsp.server.config;

import io.wsp.rules.RuleSet;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Builds {@link ServerSettings} from, in rising precedence: defaults, the YAML file named by
 * {@code wsp.config} (the Go wsp server's format), then each setting's system property
 * {@code wsp.<name>} or environment variable {@code WSP_<NAME>}.
 */
public final class SettingsLoader {

    private static final System.Logger LOG = System.getLogger(SettingsLoader.class.getName());

    private final UnaryOperator<String> systemProperties;
    private final UnaryOperator<String> environment;

    public SettingsLoader(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    public static SettingsLoader fromSystem() {
        return new SettingsLoader(System::getProperty, System::getenv);
    }

    public ServerSettings load() {
        String secretKey = "";
        Duration timeout = ServerSettings.DEFAULT_TIMEOUT;
        Duration idleTimeout = ServerSettings.DEFAULT_IDLE_TIMEOUT;
        Duration responseTimeout = ServerSettings.DEFAULT_RESPONSE_TIMEOUT;
        RuleSet rules = RuleSet.allowAll();

        String configPath = setting("config");
        if (configPath != null && !configPath.isBlank()) {
            Map<String, Object> file = readYaml(Path.of(configPath));
            secretKey = string(file, "secretkey", secretKey);
            timeout = millis(file.get("timeout"), "timeout", timeout);
            idleTimeout = millis(file.get("idletimeout"), "idletimeout", idleTimeout);
            rules = RuleSet.fromConfig(list(file, "whitelist"), list(file, "blacklist"));
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
        timeout = millis(setting("timeout"), "wsp.timeout", timeout);
        idleTimeout = millis(setting("idleTimeout"), "wsp.idleTimeout", idleTimeout);
        responseTimeout = millis(setting("responseTimeout"), "wsp.responseTimeout", responseTimeout);
        Duration bodyIdleTimeout = millis(setting("bodyIdleTimeout"), "wsp.bodyIdleTimeout",
                ServerSettings.DEFAULT_BODY_IDLE_TIMEOUT);
        Duration pingInterval = millis(setting("pingInterval"), "wsp.pingInterval", ServerSettings.DEFAULT_PING_INTERVAL);
        int maxWaiting = count(setting("maxWaiting"), "wsp.maxWaiting", ServerSettings.DEFAULT_MAX_WAITING);
        return new ServerSettings(secretKey, timeout, idleTimeout, responseTimeout, bodyIdleTimeout, pingInterval,
                maxWaiting, rules);
    }

    /** {@code secretKey} is read from {@code wsp.secretKey}, then from {@code WSP_SECRET_KEY}. */
    String setting(String name) {
        String value = systemProperties.apply("wsp." + name);
        if (value == null) {
            value = environment.apply("WSP_" + name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        }
        return value;
    }

    private static Map<String, Object> readYaml(Path path) {
        try (Reader reader = Files.newBufferedReader(path)) {
            Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            if (root == null) {
                return Map.of();
            }
            if (!(root instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("wsp config " + path + " is not a YAML mapping");
            }
            Map<String, Object> lower = new java.util.HashMap<>();
            map.forEach((k, v) -> lower.put(String.valueOf(k).toLowerCase(Locale.ROOT), v));
            return lower;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read wsp config " + path + ": " + e.getMessage(), e);
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new IllegalArgumentException("wsp config " + path + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    private static String string(Map<String, Object> file, String key, String fallback) {
        Object v = file.get(key);
        return v == null ? fallback : String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> file, String key) {
        Object v = file.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?>)) {
            throw new IllegalArgumentException("wsp config: " + key + " must be a list");
        }
        return (List<Map<String, Object>>) v;
    }

    private static int count(String value, String name, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + value, e);
        }
    }

    private static Duration millis(Object value, String name, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            long ms = value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value).trim());
            if (ms < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of milliseconds: " + value, e);
        }
    }
}
