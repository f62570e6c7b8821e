package io.wsp.agent.forward;

import io.wsp.protocol.Headers;
import io.wsp.protocol.HopByHop;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;

/** The wsp response head for an internal API's response head. Pure: no I/O. */
final class ResponseHeads {

    private ResponseHeads() {
    }

    /**
     * Status, end-to-end headers in order (repeated names, in any case, under their first
     * spelling) and the body length when the head announces one.
     */
    static ResponseHead of(Response response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Map<String, String> spelling = new HashMap<>();
        for (HttpField field : response.getHeaders()) {
            String name = spelling.computeIfAbsent(field.getName().toLowerCase(Locale.ROOT), k -> field.getName());
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(field.getValue());
        }
        if (Headers.first(headers, "Transfer-Encoding").isPresent()) {
            // Transfer-Encoding overrides Content-Length, which must not travel on as if it were true.
            headers.keySet().removeIf(name -> name.equalsIgnoreCase("Content-Length"));
        }
        return new ResponseHead(response.getStatus(), HopByHop.endToEnd(headers), contentLength(headers));
    }

    /** The first Content-Length value, or unknown. */
    private static long contentLength(Map<String, List<String>> headers) {
        try {
            return Headers.first(headers, "Content-Length").map(v -> Long.parseLong(v.strip()))
                    .orElse(WspProtocol.UNKNOWN_LENGTH);
        } catch (NumberFormatException e) {
            return WspProtocol.UNKNOWN_LENGTH;
        }
    }
}
