package io.wsp.protocol;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Labels of an agent, or a caller's selector of them: {@code key=value} pairs written
 * {@code env=prod,region=eu}. Keys and values are kept to a small character set so they need no
 * escaping in a header, a log line or a metric label.
 */
public final class Labels {

    public static final Labels NONE = new Labels(Map.of());

    /** More labels than this is a mistake, not a routing scheme. */
    public static final int MAX_LABELS = 32;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9._:/-]{0,128}");

    /** Sorted, so the written form and equality do not depend on the order given. */
    private final Map<String, String> pairs;

    private Labels(Map<String, String> pairs) {
        this.pairs = Collections.unmodifiableMap(new TreeMap<>(pairs));
    }

    public static Labels of(Map<String, String> pairs) {
        if (pairs.size() > MAX_LABELS) {
            throw new IllegalArgumentException("at most " + MAX_LABELS + " labels");
        }
        pairs.forEach(Labels::check);
        return pairs.isEmpty() ? NONE : new Labels(pairs);
    }

    /** Parses {@code k=v,k2=v2}; null or blank is no labels. */
    public static Labels parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        Map<String, String> pairs = new TreeMap<>();
        for (String item : text.split(",", -1)) {
            String pair = item.strip();
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("label '" + shorten(pair) + "' must be key=value");
            }
            String key = pair.substring(0, eq);
            if (pairs.put(key, pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("label '" + shorten(key) + "' given twice");
            }
        }
        return of(pairs);
    }

    /** Parses one {@code key=value} as a command line gives it. */
    public static Map.Entry<String, String> parsePair(String pair) {
        Map<String, String> one = parse(pair).pairs;
        if (one.size() != 1) {
            throw new IllegalArgumentException("a label is one key=value");
        }
        return one.entrySet().iterator().next();
    }

    private static void check(String key, String value) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("label key '" + shorten(key)
                    + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (value == null || !VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("label value of '" + key
                    + "' must be 0-128 letters, digits, '.', '_', ':', '/' or '-'");
        }
    }

    private static String shorten(String s) {
        return s == null ? "null" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** True when every pair of {@code selector} is among these labels; no pairs select all. */
    public boolean includes(Labels selector) {
        return pairs.entrySet().containsAll(selector.pairs.entrySet());
    }

    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    public Map<String, String> asMap() {
        return pairs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Labels other && pairs.equals(other.pairs);
    }

    @Override
    public int hashCode() {
        return pairs.hashCode();
    }

    /** The header form, {@code k=v,k2=v2}, keys sorted. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        pairs.forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }
}
