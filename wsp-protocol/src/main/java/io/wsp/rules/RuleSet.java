package io.wsp.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which destinations may be called: a request matching any blacklist rule is denied; otherwise,
 * when the whitelist is not empty, one of its rules must match (the Go wsp's order).
 */
public final class RuleSet {

    private final List<Rule> whitelist;
    private final List<Rule> blacklist;

    public RuleSet(List<Rule> whitelist, List<Rule> blacklist) {
        this.whitelist = List.copyOf(whitelist);
        this.blacklist = List.copyOf(blacklist);
    }

    public static RuleSet allowAll() {
        return new RuleSet(List.of(), List.of());
    }

    /**
     * Builds the rules from a YAML list as a parser gives it: maps with the keys {@code method},
     * {@code url} and {@code headers} (the Go wsp field names, case-insensitive).
     */
    public static RuleSet fromConfig(List<Map<String, Object>> whitelist, List<Map<String, Object>> blacklist) {
        return new RuleSet(parse("whitelist", whitelist), parse("blacklist", blacklist));
    }

    public boolean isEmpty() {
        return whitelist.isEmpty() && blacklist.isEmpty();
    }

    public int whitelistSize() {
        return whitelist.size();
    }

    public int blacklistSize() {
        return blacklist.size();
    }

    /** Empty when the request is allowed, else why it is not. */
    public Optional<String> deniedReason(String method, String url, Map<String, List<String>> headers) {
        for (Rule rule : blacklist) {
            if (rule.matches(method, url, headers)) {
                return Optional.of("destination matches a blacklist rule");
            }
        }
        if (whitelist.isEmpty()) {
            return Optional.empty();
        }
        for (Rule rule : whitelist) {
            if (rule.matches(method, url, headers)) {
                return Optional.empty();
            }
        }
        return Optional.of("destination matches no whitelist rule");
    }

    private static List<Rule> parse(String listName, List<Map<String, Object>> entries) {
        List<Rule> rules = new ArrayList<>();
        if (entries == null) {
            return rules;
        }
        int index = 0;
        for (Object raw : entries) {
            if (!(raw instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException(listName + "[" + index + "] is not a mapping");
            }
            String method = null;
            String url = null;
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : entry.entrySet()) {
                String key = String.valueOf(e.getKey()).toLowerCase(java.util.Locale.ROOT);
                Object value = e.getValue();
                switch (key) {
                    case "method" -> method = value == null ? null : String.valueOf(value);
                    case "url" -> url = value == null ? null : String.valueOf(value);
                    case "headers" -> {
                        if (value instanceof Map<?, ?> h) {
                            h.forEach((k, v) -> headers.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
                        } else if (value != null) {
                            throw new IllegalArgumentException(listName + "[" + index + "].headers is not a mapping");
                        }
                    }
                    default -> throw new IllegalArgumentException(listName + "[" + index + "] has unknown key " + key);
                }
            }
            try {
                rules.add(Rule.of(method, url, headers));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(listName + "[" + index + "]: " + ex.getMessage(), ex);
            }
            index++;
        }
        return rules;
    }
}
