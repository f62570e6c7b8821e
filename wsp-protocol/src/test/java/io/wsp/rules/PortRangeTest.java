package io.wsp.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PortRangeTest {

    @Test
    void aNumberIsOnePort() {
        PortRange p = PortRange.parse(8080);
        assertTrue(p.contains(8080));
        assertFalse(p.contains(8081));
        assertEquals(p, PortRange.parse("8080"));
    }

    @Test
    void aRangeIncludesBothEnds() {
        PortRange p = PortRange.parse("8000-8099");
        assertFalse(p.contains(7999));
        assertTrue(p.contains(8000));
        assertTrue(p.contains(8099));
        assertFalse(p.contains(8100));
        assertEquals(p, PortRange.parse(" 8000 - 8099 "));
    }

    @Test
    void portsOutsideOneTo65535OrReversedRangesAreRefused() {
        for (Object bad : new Object[] {0, 65536, -1, "9-8", "80-", "http", "", null, 1.5, "1-65536"}) {
            assertThrows(IllegalArgumentException.class, () -> PortRange.parse(bad), String.valueOf(bad));
        }
        assertTrue(PortRange.parse("1-65535").contains(65535));
    }
}
