package io.wsp.server.proxy;

import java.util.List;
import java.util.Map;

/**
 * The size of a caller's header section, counted as HTTP/1.1 sends it ({@code name: value} and
 * CRLF per field), whatever the protocol it came over: the limit means the same for HTTP/2 callers.
 */
final class HeaderSection {

    /** The ": " between name and value and the CRLF after each field. */
    private static final int FIELD_OVERHEAD = 4;

    private HeaderSection() {
    }

    static long bytes(Map<String, List<String>> headers) {
        long total = 0;
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            for (String value : h.getValue()) {
                total += h.getKey().length() + value.length() + FIELD_OVERHEAD;
            }
        }
        return total;
    }
}
