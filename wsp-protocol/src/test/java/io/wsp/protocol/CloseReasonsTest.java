package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CloseReasonsTest {

    @Test
    void aReasonThatFitsIsKept() {
        String exact = "r".repeat(CloseReasons.MAX_REASON_BYTES);
        assertEquals(exact, CloseReasons.fit(exact));
    }

    @Test
    void aLongReasonIsCutTo123BytesEndingInDots() {
        String fitted = CloseReasons.fit("r".repeat(500));
        assertEquals("r".repeat(120) + "...", fitted);
    }

    @Test
    void aCutNeverSplitsAMultiByteCharacter() {
        String fitted = CloseReasons.fit("\u00e9".repeat(100));
        assertTrue(fitted.getBytes(StandardCharsets.UTF_8).length <= CloseReasons.MAX_REASON_BYTES, fitted);
        assertEquals("\u00e9".repeat(60) + "...", fitted);
    }
}
