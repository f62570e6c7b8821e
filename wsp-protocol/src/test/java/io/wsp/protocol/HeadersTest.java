package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void namesMatchIgnoringCase() {
        Map<String, List<String>> headers = Map.of("x-request-id", List.of("a", "b"));
        assertEquals(List.of("a", "b"), Headers.all(headers, "X-Request-Id"));
        assertEquals(Optional.of("a"), Headers.first(headers, "X-REQUEST-ID"));
    }

    @Test
    void absentNamesAndMissingMapsGiveNothing() {
        assertEquals(List.of(), Headers.all(Map.of("A", List.of("1")), "B"));
        assertEquals(Optional.empty(), Headers.first(null, "A"));
        assertEquals(Optional.empty(), Headers.first(Map.of("A", List.of()), "A"));
    }
}
