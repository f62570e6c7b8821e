package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {

    @Test
    void parsesPairsAndWritesThemSortedByKey() {
        Labels labels = Labels.parse(" region=eu-west:1 , env=prod");
        assertEquals(Map.of("env", "prod", "region", "eu-west:1"), labels.asMap());
        assertEquals("env=prod,region=eu-west:1", labels.toString());
        assertEquals(labels, Labels.parse(labels.toString()));
    }

    @Test
    void nullBlankAndEmptyMapAreNoLabels() {
        assertSame(Labels.NONE, Labels.parse(null));
        assertSame(Labels.NONE, Labels.parse("  "));
        assertSame(Labels.NONE, Labels.of(Map.of()));
        assertEquals("", Labels.NONE.toString());
    }

    @Test
    void anEmptyValueIsAllowed() {
        assertEquals(Map.of("canary", ""), Labels.parse("canary=").asMap());
    }

    @Test
    void malformedInputIsRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("env"), "no =");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("env=prod,"), "empty item");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("=prod"), "empty key");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("env=prod,env=test"), "twice");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("env=pr od"), "space in value");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("e\r\nnv=prod"), "CR/LF in key");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("-env=prod"), "key starts with -");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("k=" + "v".repeat(129)), "long value");
        assertThrows(IllegalArgumentException.class, () -> Labels.parse("k".repeat(64) + "=v"), "long key");
    }

    @Test
    void moreThanTheMaximumNumberOfLabelsIsRefused() {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= Labels.MAX_LABELS; i++) {
            many.put("k" + i, "v");
        }
        assertThrows(IllegalArgumentException.class, () -> Labels.of(many));
    }

    @Test
    void aSelectorMatchesLabelsThatIncludeAllOfItsPairs() {
        Labels agent = Labels.parse("env=prod,region=eu");
        assertTrue(agent.includes(Labels.parse("env=prod")));
        assertTrue(agent.includes(Labels.parse("region=eu,env=prod")));
        assertTrue(agent.includes(Labels.NONE));
        assertFalse(agent.includes(Labels.parse("env=test")));
        assertFalse(agent.includes(Labels.parse("env=prod,tier=gold")));
        assertFalse(Labels.NONE.includes(Labels.parse("env=prod")));
    }

    @Test
    void aCommandLinePairIsExactlyOneLabel() {
        assertEquals(Map.entry("env", "prod"), Labels.parsePair("env=prod"));
        assertThrows(IllegalArgumentException.class, () -> Labels.parsePair("env=prod,x=y"));
    }
}
