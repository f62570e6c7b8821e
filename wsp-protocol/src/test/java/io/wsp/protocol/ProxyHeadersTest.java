package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyHeadersTest {

    @Test
    void forwardableDropsWspsOwnAndHopByHopHeadersInAnyCase() {
        Map<String, List<String>> in = new LinkedHashMap<>();
        in.put("x-proxy-destination", List.of("http://api/"));
        in.put("X-Secret-Key", List.of("s"));
        in.put("X-PROXY-AGENT", List.of("a"));
        in.put("Accept", List.of("*/*"));
        in.put("Transfer-Encoding", List.of("chunked"));
        in.put("X-Request-Id", List.of("r-1"));
        assertEquals(List.of("Accept", "X-Request-Id"), List.copyOf(ProxyHeaders.forwardable(in).keySet()));
    }
}
