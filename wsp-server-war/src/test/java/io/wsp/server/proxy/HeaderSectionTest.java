package io.wsp.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderSectionTest {

    @Test
    void eachFieldCountsAsNameColonSpaceValueCrlf() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of("api:8081"));
        headers.put("Accept", List.of("a", "b"));
        // "Host: api:8081\r\n" + "Accept: a\r\n" twice
        assertEquals(16 + 11 + 11, HeaderSection.bytes(headers));
    }

    @Test
    void noHeadersIsZero() {
        assertEquals(0, HeaderSection.bytes(Map.of()));
    }
}
