package io.wsp.protocol;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Look-ups in the header maps of the wire format, where names keep their case as sent. */
public final class Headers {

    private Headers() {
    }

    /** All values of {@code name}, compared ignoring case; empty when absent. */
    public static List<String> all(Map<String, List<String>> headers, String name) {
        if (headers != null) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name) && h.getValue() != null) {
                    return h.getValue();
                }
            }
        }
        return List.of();
    }

    /** The first value of {@code name}, compared ignoring case. */
    public static Optional<String> first(Map<String, List<String>> headers, String name) {
        List<String> values = all(headers, name);
        return values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }
}
