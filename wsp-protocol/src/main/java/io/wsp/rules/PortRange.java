package io.wsp.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A TCP port or an inclusive range of them, written {@code 8080} or {@code 8000-8099}. */
public record PortRange(int from, int to) {

    private static final Pattern TEXT = Pattern.compile("(\\d{1,5})(?:\\s*-\\s*(\\d{1,5}))?");

    public PortRange {
        if (from < 1 || to > 65535 || from > to) {
            throw new IllegalArgumentException("port must be 1-65535, or a range low-high within it");
        }
    }

    /**
     * Parses what YAML gives: a number, or a string holding a port or a range.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static PortRange parse(Object value) {
        if (value instanceof Integer port) {
            return new PortRange(port, port);
        }
        Matcher m = TEXT.matcher(value == null ? "" : String.valueOf(value).strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("port must be a number or a range like 8000-8099: " + value);
        }
        int from = Integer.parseInt(m.group(1));
        return new PortRange(from, m.group(2) == null ? from : Integer.parseInt(m.group(2)));
    }

    public boolean contains(int port) {
        return port >= from && port <= to;
    }
}
