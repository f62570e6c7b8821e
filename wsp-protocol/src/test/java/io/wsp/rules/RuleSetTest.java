package io.wsp.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuleSetTest {

    private static final Map<String, List<String>> NO_HEADERS = Map.of();

    @Test
    void emptyRulesAllowEverything() {
        assertEquals(Optional.empty(), RuleSet.allowAll().deniedReason("GET", "http://any/", NO_HEADERS));
    }

    @Test
    void nonEmptyWhitelistDeniesWhatItDoesNotMatch() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("method", "^GET$", "url", "^http://api:8081/")), null);
        assertTrue(rules.deniedReason("GET", "http://api:8081/x", NO_HEADERS).isEmpty());
        assertTrue(rules.deniedReason("POST", "http://api:8081/x", NO_HEADERS).isPresent());
        assertTrue(rules.deniedReason("GET", "http://other/x", NO_HEADERS).isPresent());
    }

    @Test
    void blacklistWinsOverWhitelist() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("url", "api")), List.of(Map.of("url", "/admin")));
        assertTrue(rules.deniedReason("GET", "http://api/admin", NO_HEADERS).isPresent());
        assertTrue(rules.deniedReason("GET", "http://api/public", NO_HEADERS).isEmpty());
    }

    @Test
    void headerRulesMatchCaseInsensitiveNamesAndFirstValue() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("headers", Map.of("X-Team", "^blue$"))), null);
        assertTrue(rules.deniedReason("GET", "http://a/", Map.of("x-team", List.of("blue"))).isEmpty());
        assertTrue(rules.deniedReason("GET", "http://a/", Map.of("X-Team", List.of("red"))).isPresent());
        assertTrue(rules.deniedReason("GET", "http://a/", NO_HEADERS).isPresent());
    }

    @Test
    void invalidRegexNamesTheRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RuleSet.fromConfig(null, List.of(Map.of("url", "("))));
        assertTrue(e.getMessage().startsWith("blacklist[0]: invalid url regex"), e.getMessage());
    }

    @Test
    void unknownKeysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RuleSet.fromConfig(List.of(Map.of("uri", "x")), null));
    }
}
