package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HopByHopTest {

    @Test
    void endToEndDropsHopByHopConnectionNamedAndPseudoHeadersKeepingOrder() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Accept", List.of("text/plain"));
        headers.put("Connection", List.of("keep-alive, X-Hop"));
        headers.put("x-hop", List.of("1"));
        headers.put("Transfer-Encoding", List.of("chunked"));
        headers.put(":status", List.of("200"));
        headers.put("X-Kept", List.of("a", "b"));
        assertEquals(List.of("Accept", "X-Kept"), List.copyOf(HopByHop.endToEnd(headers).keySet()));
        assertEquals(List.of("a", "b"), HopByHop.endToEnd(headers).get("X-Kept"));
    }

    @Test
    void connectionOptionsAreLowerCaseTokens() {
        assertEquals(Set.of("x-a", "keep-alive"),
                HopByHop.connectionOptions(Map.of("connection", List.of(" X-A ,Keep-Alive"))));
        assertEquals(Map.of(), HopByHop.endToEnd(null));
    }
}
