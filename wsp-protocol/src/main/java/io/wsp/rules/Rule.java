package io.wsp.rules;

import io.wsp.protocol.Headers;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One destination rule: the Go wsp's regular expressions for the method, the URL and named headers,
 * plus ours for the host, the port and the address (CIDR). A request matches when every part it
 * has matches; an absent part matches anything. Like Go's {@code MatchString}, the method, URL and
 * header patterns match when found anywhere in the value (anchor them with {@code ^...$} to be
 * strict); the host pattern must match the whole host, ignoring case, as a host rule is there to
 * pin a name down.
 */
public record Rule(Pattern method, Pattern url, Map<String, Pattern> headers, Pattern host, PortRange port,
        Cidr cidr) {

    public Rule {
        headers = Map.copyOf(headers);
    }

    /** A rule with only a URL pattern, as {@code --allow} gives. */
    public static Rule ofUrl(String regex) {
        return new Rule(null, compile("url", regex, 0), Map.of(), null, null, null);
    }

    /** A rule with only an address range, as {@code --allow-cidr} gives. */
    public static Rule ofCidr(String cidr) {
        return new Rule(null, null, Map.of(), null, null, Cidr.parse(cidr));
    }

    /**
     * Builds a rule from a YAML mapping with the keys {@code method}, {@code url}, {@code headers}
     * (the Go wsp's, case-insensitive), {@code host}, {@code port} and {@code cidr}.
     *
     * @throws IllegalArgumentException naming the key that is unknown or invalid
     */
    public static Rule fromConfig(Map<?, ?> entry) {
        Pattern method = null;
        Pattern url = null;
        Map<String, Pattern> headers = new LinkedHashMap<>();
        Pattern host = null;
        PortRange port = null;
        Cidr cidr = null;
        for (Map.Entry<?, ?> e : entry.entrySet()) {
            String key = String.valueOf(e.getKey()).toLowerCase(Locale.ROOT);
            Object value = e.getValue();
            switch (key) {
                case "method" -> method = compile(key, text(value), 0);
                case "url" -> url = compile(key, text(value), 0);
                case "host" -> host = compile(key, text(value), Pattern.CASE_INSENSITIVE);
                case "port" -> port = value == null ? null : PortRange.parse(value);
                case "cidr" -> cidr = value == null ? null : Cidr.parse(text(value));
                case "headers" -> {
                    if (value instanceof Map<?, ?> h) {
                        h.forEach((k, v) -> headers.put(String.valueOf(k), compile("header " + k, text(v), 0)));
                    } else if (value != null) {
                        throw new IllegalArgumentException("headers is not a mapping");
                    }
                }
                default -> throw new IllegalArgumentException("unknown key " + key);
            }
        }
        headers.values().removeIf(p -> p == null);
        return new Rule(method, url, headers, host, port, cidr);
    }

    /** Whether every part matches; a CIDR part needs the target's address. */
    public boolean matches(Target target) {
        return matchesIgnoringAddress(target)
                && (cidr == null || target.address() != null && cidr.contains(target.address()));
    }

    /** Whether every part but the CIDR matches: what can be known before the host is resolved. */
    public boolean matchesIgnoringAddress(Target target) {
        if (method != null && !method.matcher(target.method()).find()) {
            return false;
        }
        if (url != null && !url.matcher(target.url()).find()) {
            return false;
        }
        if (host != null && !host.matcher(target.host()).matches()) {
            return false;
        }
        if (port != null && !port.contains(target.port())) {
            return false;
        }
        for (Map.Entry<String, Pattern> h : headers.entrySet()) {
            // Go's Header.Get: the first value, or "" when absent.
            String value = Headers.first(target.headers(), h.getKey()).orElse("");
            if (!h.getValue().matcher(value).find()) {
                return false;
            }
        }
        return true;
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static Pattern compile(String what, String regex, int flags) {
        if (regex == null || regex.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(regex, flags);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid " + what + " regex: " + e.getDescription(), e);
        }
    }
}
