package io.wsp.agent.config;

import io.wsp.protocol.Labels;
import io.wsp.rules.RuleSet;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the Go wsp client's YAML file ({@code wsp_client.cfg}): keys {@code id}, {@code targets},
 * {@code poolidlesize}, {@code poolmaxsize}, {@code secretkey}, {@code whitelist}, {@code blacklist},
 * and ours: {@code labels}, {@code allowall} (a Go agent ignores them), and for TLS
 * {@code truststore}, {@code truststorepassword}, {@code keystore}, {@code keystorepassword}
 * (relative paths are resolved against the file's directory). Unknown keys are ignored, as Go's
 * YAML decoder does.
 */
public final class YamlConfigLoader {

    private YamlConfigLoader() {
    }

    /** Returns a builder holding the file's values, for the caller to override. */
    public static AgentConfig.Builder load(Path file) {
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            // SafeConstructor: a config file must never instantiate arbitrary classes.
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: "
                    + e.getMessage().replaceAll("\\s+", " "), e);
        }
        AgentConfig.Builder builder = AgentConfig.builder();
        if (root == null) {
            return builder;
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException("config file " + file + " must be a YAML mapping");
        }
        try {
            builder.id(string(map, "id"))
                    .servers(strings(map, "targets"))
                    .poolIdleSize(integer(map, "poolidlesize"))
                    .poolMaxSize(integer(map, "poolmaxsize"))
                    .secretKey(string(map, "secretkey"))
                    .labels(labels(map))
                    .allowAll(bool(map, "allowall"))
                    .trustStore(path(file, map, "truststore"))
                    .trustStorePassword(string(map, "truststorepassword"))
                    .keyStore(path(file, map, "keystore"))
                    .keyStorePassword(string(map, "keystorepassword"));
            builder.rules(RuleSet.fromConfig(rules(map, "whitelist"), rules(map, "blacklist")));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new ConfigException("config file " + file + ": " + e.getMessage(), e);
        }
        return builder;
    }

    private static String string(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value instanceof Map || value instanceof List) {
            throw new ConfigException(key + " must be a string");
        }
        return value == null ? null : String.valueOf(value);
    }

    /** A path relative to the config file's directory, so the file and its stores can move together. */
    private static Path path(Path file, Map<?, ?> map, String key) {
        String value = string(map, key);
        return value == null ? null : file.toAbsolutePath().getParent().resolve(value);
    }

    private static Integer integer(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer i)) {
            throw new ConfigException(key + " must be an integer");
        }
        return i;
    }

    private static Boolean bool(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value != null && !(value instanceof Boolean)) {
            throw new ConfigException(key + " must be true or false");
        }
        return (Boolean) value;
    }

    private static List<String> strings(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(key + " must be a list");
        }
        List<String> result = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw new ConfigException(key + " must be a list of strings");
            }
            result.add(s);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    /** {@code labels:} is a mapping of strings, e.g. {@code labels: {env: prod}}. */
    private static Labels labels(Map<?, ?> map) {
        Object value = map.get("labels");
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> entries)) {
            throw new ConfigException("labels must be a mapping of key: value");
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        entries.forEach((k, v) -> pairs.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        return Labels.of(pairs);
    }

    private static List<Map<String, Object>> rules(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            throw new ConfigException(key + " must be a list");
        }
        // RuleSet.fromConfig checks every entry is a mapping.
        return (List<Map<String, Object>>) value;
    }
}
