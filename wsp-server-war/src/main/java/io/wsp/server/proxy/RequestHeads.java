package io.wsp.server.proxy;

import io.wsp.protocol.ProxyHeaders;
import io.wsp.protocol.RequestHead;
import io.wsp.server.cluster.PeerHeaders;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns a caller's request into the head the agent receives. */
final class RequestHeads {

    private RequestHeads() {
    }

    /**
     * Copies the caller's end-to-end headers, minus wsp's own and {@code credentialHeader} (the
     * one that carried the caller's wsp key, null when none did), and adds the standard forwarding
     * headers: the internal API sees who called, over which scheme and host, and under which id.
     */
    static RequestHead from(HttpServletRequest request, Map<String, List<String>> received, String destination,
                            String requestId, String credentialHeader) {
        Set<String> skip = new HashSet<>(Set.of("host", "content-length", "x-forwarded-for", "x-forwarded-proto",
                "x-forwarded-host", RequestId.HEADER.toLowerCase(Locale.ROOT)));
        // A caller's own copy of the cluster headers must never reach a node or an agent.
        skip.addAll(PeerHeaders.ALL);
        if (credentialHeader != null) {
            skip.add(credentialHeader.toLowerCase(Locale.ROOT));
        }
        Map<String, List<String>> headers = ProxyHeaders.forwardable(received);
        headers.keySet().removeIf(name -> skip.contains(name.toLowerCase(Locale.ROOT)));
        List<String> forwardedFor = new ArrayList<>(Collections.list(request.getHeaders("X-Forwarded-For")));
        forwardedFor.add(request.getRemoteAddr());
        headers.put("X-Forwarded-For", List.of(String.join(", ", forwardedFor)));
        headers.put("X-Forwarded-Proto", List.of(request.getScheme()));
        String host = request.getHeader("Host");
        if (host != null) {
            headers.put("X-Forwarded-Host", List.of(host));
        }
        headers.put(RequestId.HEADER, List.of(requestId));
        return new RequestHead(request.getMethod(), destination, headers, contentLength(request));
    }

    /**
     * The head of a request another node forwarded: that node built its headers as the agent gets
     * them (forwarding headers and request id included), so they are taken as they are, minus
     * wsp's own and the cluster's.
     */
    static RequestHead fromPeer(HttpServletRequest request, Map<String, List<String>> received, String destination,
                                String requestId) {
        Map<String, List<String>> headers = ProxyHeaders.forwardable(received);
        headers.keySet().removeIf(name -> PeerHeaders.ALL.contains(name.toLowerCase(Locale.ROOT))
                || name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")
                || name.equalsIgnoreCase(RequestId.HEADER));
        headers.put(RequestId.HEADER, List.of(requestId));
        return new RequestHead(request.getMethod(), destination, headers, contentLength(request));
    }

    /** Every header the caller sent, names as the container gives them, repeated ones merged. */
    static Map<String, List<String>> received(HttpServletRequest request) {
        Map<String, List<String>> all = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            all.computeIfAbsent(name, n -> new ArrayList<>()).addAll(Collections.list(request.getHeaders(name)));
        }
        return all;
    }

    /**
     * An HTTP/1.x request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112
     * 6.3). HTTP/2 has no Transfer-Encoding: there a missing length means "unknown", and the body
     * is streamed (an empty one then ends at once).
     */
    static long contentLength(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        if (length < 0 && request.getHeader("Transfer-Encoding") == null && request.getProtocol().startsWith("HTTP/1")) {
            return 0;
        }
        return length;
    }
}
