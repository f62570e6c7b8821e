package io.wsp.rules;

import io.wsp.protocol.Headers;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One destination rule in the Go wsp format: regular expressions for the method, the URL and
 * named headers. An absent part matches anything; like Go's {@code MatchString}, a pattern matches
 * when it is found anywhere in the value, so anchor it ({@code ^...$}) to be strict.
 */
public record Rule(Pattern method, Pattern url, Map<String, Pattern> headers) {

    public Rule {
        headers = Map.copyOf(headers);
    }

    /** Compiles a rule; throws IllegalArgumentException naming the part whose regex is invalid. */
    public static Rule of(String method, String url, Map<String, String> headers) {
        Map<String, Pattern> compiled = new java.util.LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, regex) -> compiled.put(name, compile("header " + name, regex)));
        }
        return new Rule(compile("method", method), compile("url", url), compiled);
    }

    public boolean matches(String method, String url, Map<String, List<String>> headers) {
        if (this.method != null && !this.method.matcher(method).find()) {
            return false;
        }
        if (this.url != null && !this.url.matcher(url).find()) {
            return false;
        }
        for (Map.Entry<String, Pattern> h : this.headers.entrySet()) {
            // Go's Header.Get: the first value, or "" when absent.
            String value = Headers.first(headers, h.getKey()).orElse("");
            if (!h.getValue().matcher(value).find()) {
                return false;
            }
        }
        return true;
    }

    private static Pattern compile(String what, String regex) {
        if (regex == null || regex.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid " + what + " regex: " + e.getDescription(), e);
        }
    }
}
