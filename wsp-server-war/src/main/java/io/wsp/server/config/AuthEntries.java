package io.wsp.server.config;

import io.wsp.rules.RuleSet;
import io.wsp.server.auth.AgentKey;
import io.wsp.server.auth.CallerKey;
import io.wsp.server.auth.KeyDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the YAML lists {@code agents} and {@code callers} and the {@code wsp.callerKeys} setting.
 * Messages name the entry, never the key.
 */
final class AuthEntries {

    private AuthEntries() {
    }

    /** {@code agents: [{id: a1, key: ...}]}, or {@code keySha256} instead of {@code key}. */
    static List<AgentKey> agents(List<Map<String, Object>> entries) {
        List<AgentKey> keys = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String where = "agents[" + i + "]";
            Map<String, Object> entry = entry(entries.get(i), where);
            keys.add(new AgentKey(text(entry, "id", where), key(entry, where)));
        }
        return keys;
    }

    /**
     * {@code callers: [{name: ci, key: ..., agents: [a1], whitelist: [...], blacklist: [...]}]}, or
     * {@code keySha256} instead of {@code key}; {@code agents} and the rules are optional.
     */
    static List<CallerKey> callers(List<Map<String, Object>> entries) {
        List<CallerKey> keys = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String where = "callers[" + i + "]";
            Map<String, Object> entry = entry(entries.get(i), where);
            RuleSet rules = RuleSet.fromConfig(SettingsLoader.list(entry, "whitelist"),
                    SettingsLoader.list(entry, "blacklist"));
            keys.add(new CallerKey(text(entry, "name", where), key(entry, where), agentIds(entry, where), rules));
        }
        return keys;
    }

    /** Comma-separated keys, each for every agent and destination, named {@code callerKeys-1}, ... */
    static List<CallerKey> keyList(String value) {
        List<CallerKey> keys = new ArrayList<>();
        for (String key : value.split(",")) {
            if (!key.isBlank()) {
                keys.add(new CallerKey("callerKeys-" + (keys.size() + 1), KeyDigest.ofKey(key.trim()), Set.of(),
                        RuleSet.allowAll()));
            }
        }
        return keys;
    }

    private static Map<String, Object> entry(Object raw, String where) {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("wsp config: " + where + " is not a mapping");
        }
        return SettingsLoader.lowerKeys(map);
    }

    private static KeyDigest key(Map<String, Object> entry, String where) {
        Object plain = entry.get("key");
        Object sha256 = entry.get("keysha256");
        if ((plain == null) == (sha256 == null)) {
            throw new IllegalArgumentException("wsp config: " + where + " needs exactly one of key and keySha256");
        }
        try {
            return plain != null ? KeyDigest.ofKey(String.valueOf(plain)) : KeyDigest.ofSha256Hex(String.valueOf(sha256));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("wsp config: " + where + ": " + e.getMessage(), e);
        }
    }

    private static String text(Map<String, Object> entry, String name, String where) {
        Object v = entry.get(name);
        if (v == null || String.valueOf(v).isBlank()) {
            throw new IllegalArgumentException("wsp config: " + where + " needs a " + name);
        }
        return String.valueOf(v);
    }

    private static Set<String> agentIds(Map<String, Object> entry, String where) {
        Object v = entry.get("agents");
        if (v == null) {
            return Set.of();
        }
        if (!(v instanceof List<?> ids) || ids.isEmpty()) {
            throw new IllegalArgumentException("wsp config: " + where + ".agents must be a list of agent ids"
                    + " (leave it out for every agent)");
        }
        Set<String> out = new LinkedHashSet<>();
        ids.forEach(id -> out.add(String.valueOf(id)));
        return out;
    }
}
