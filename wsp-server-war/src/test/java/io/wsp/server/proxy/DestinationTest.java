package io.wsp.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationTest {

    @Test
    void absoluteHttpAndHttpsUrlsAreAccepted() throws Exception {
        assertEquals("http://api:8081/path?q=1", Destination.parse("http://api:8081/path?q=1"));
        assertEquals("https://api.internal/x", Destination.parse(" https://api.internal/x "));
        assertEquals("HTTP://API/", Destination.parse("HTTP://API/"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "ftp://api/file", "file:///etc/passwd", "/relative", "http:///nohost",
            "http://api/a b", "http://api/\r\nX-Injected: 1", "not a url", "javascript:alert(1)",
            "http://user:secret@api/", "http://user@api/"})
    void everythingElseIsRefused(String value) {
        assertThrows(Destination.InvalidDestinationException.class, () -> Destination.parse(value));
    }
}
