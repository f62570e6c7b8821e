package io.wsp.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
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

    @Test
    void blacklistReasonNamesTheRule() {
        RuleSet rules = RuleSet.fromConfig(null, List.of(Map.of("url", "/a$"), Map.of("url", "/b$")));
        assertEquals(Optional.of("destination matches a blacklist rule (blacklist[1])"),
                rules.deniedReason("GET", "http://api/b", NO_HEADERS));
    }

    @Test
    void hostRulesMatchTheWholeHostIgnoringCase() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("host", "api\\.internal")), null);
        assertTrue(rules.deniedReason("GET", "http://API.Internal:8081/x", NO_HEADERS).isEmpty());
        assertTrue(rules.deniedReason("GET", "http://evil-api.internal/x", NO_HEADERS).isPresent());
        assertTrue(rules.deniedReason("GET", "http://api.internal.evil/x", NO_HEADERS).isPresent());
    }

    @Test
    void hostRulesSeeIpv6LiteralsWithoutBrackets() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("host", "::1")), null);
        assertTrue(rules.deniedReason("GET", "http://[::1]:8081/", NO_HEADERS).isEmpty());
    }

    @Test
    void portRulesUseTheSchemesDefaultWhenTheUrlHasNone() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("port", "80-443")), null);
        assertTrue(rules.deniedReason("GET", "http://api/", NO_HEADERS).isEmpty());
        assertTrue(rules.deniedReason("GET", "https://api/", NO_HEADERS).isEmpty());
        assertTrue(rules.deniedReason("GET", "http://api:444/", NO_HEADERS).isPresent());
        assertTrue(rules.deniedReason("GET", "http://api:79/", NO_HEADERS).isPresent());
    }

    @Test
    void partsOfOneRuleMustAllMatch() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("method", "^GET$", "host", "api", "port", 8081)), null);
        assertTrue(rules.deniedReason("GET", "http://api:8081/", NO_HEADERS).isEmpty());
        assertTrue(rules.deniedReason("POST", "http://api:8081/", NO_HEADERS).isPresent());
        assertTrue(rules.deniedReason("GET", "http://api:8082/", NO_HEADERS).isPresent());
        assertTrue(rules.deniedReason("GET", "http://other:8081/", NO_HEADERS).isPresent());
    }

    @Test
    void cidrRulesMatchTheResolvedAddress() throws Exception {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("cidr", "10.0.0.0/8")), null);
        Target named = Target.of("GET", "http://api/", NO_HEADERS);
        assertTrue(rules.deniedReason(named.withAddress(InetAddress.getByName("10.1.2.3"))).isEmpty());
        assertTrue(rules.deniedReason(named.withAddress(InetAddress.getByName("11.0.0.1"))).isPresent());
    }

    @Test
    void withoutAnAddressACidrPartMatchesOnlyIpLiterals() {
        RuleSet allow = RuleSet.fromConfig(List.of(Map.of("cidr", "10.0.0.0/8")), null);
        assertTrue(allow.deniedReason("GET", "http://10.0.0.1/", NO_HEADERS).isEmpty());
        assertTrue(allow.deniedReason("GET", "http://api/", NO_HEADERS).isPresent(), "a name is not in a range");
        RuleSet deny = RuleSet.fromConfig(null, List.of(Map.of("cidr", "10.0.0.0/8")));
        assertTrue(deny.deniedReason("GET", "http://10.0.0.1/", NO_HEADERS).isPresent());
        assertTrue(deny.deniedReason("GET", "http://api/", NO_HEADERS).isEmpty());
    }

    @Test
    void deniedWhateverTheAddressLeavesCidrPartsForLater() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("url", "^http://api/", "cidr", "10.0.0.0/8")),
                List.of(Map.of("cidr", "10.9.0.0/16"), Map.of("url", "/admin")));
        assertTrue(rules.deniedWhateverTheAddress(Target.of("GET", "http://api/x", NO_HEADERS)).isEmpty());
        assertEquals(Optional.of("destination matches no whitelist rule"),
                rules.deniedWhateverTheAddress(Target.of("GET", "http://other/x", NO_HEADERS)));
        assertEquals(Optional.of("destination matches a blacklist rule (blacklist[1])"),
                rules.deniedWhateverTheAddress(Target.of("GET", "http://api/admin", NO_HEADERS)));
    }

    @Test
    void whitelistNamesOnlyWithAMatchingRuleWhoseRangeQualifies() throws Exception {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("cidr", "0.0.0.0/0"),
                Map.of("url", "/meta", "cidr", "169.254.169.254/32")), null);
        Target metadata = Target.of("GET", "http://169.254.169.254/meta", NO_HEADERS);
        assertTrue(rules.whitelistNames(metadata, ProtectedAddresses::named));
        assertFalse(rules.whitelistNames(Target.of("GET", "http://169.254.169.254/other", NO_HEADERS),
                ProtectedAddresses::named), "only 0.0.0.0/0 matches, and it names nothing");
    }

    @Test
    void badHostPortAndCidrValuesNameTheRule() {
        assertMessage("whitelist[0]: invalid host regex", List.of(Map.of("host", "(")));
        assertMessage("whitelist[0]: port must be", List.of(Map.of("port", "http")));
        assertMessage("whitelist[0]: not an IP address or CIDR", List.of(Map.of("cidr", "intranet")));
    }

    @Test
    void anEmptyHeaderPatternMatchesAnything() {
        RuleSet rules = RuleSet.fromConfig(List.of(Map.of("headers", Map.of("X-Team", ""))), null);
        assertTrue(rules.deniedReason("GET", "http://a/", NO_HEADERS).isEmpty());
    }

    @Test
    void withWhitelistedAddsRulesAfterTheFilesOwn() {
        RuleSet rules = RuleSet.allowAll().withWhitelisted(List.of(Rule.ofUrl("^http://a/"), Rule.ofCidr("10.0.0.0/8")));
        assertEquals(2, rules.whitelistSize());
        assertTrue(rules.deniedReason("GET", "http://a/", NO_HEADERS).isEmpty());
        assertTrue(rules.deniedReason("GET", "http://10.0.0.1/", NO_HEADERS).isEmpty());
        assertTrue(rules.deniedReason("GET", "http://b/", NO_HEADERS).isPresent());
    }

    private static void assertMessage(String start, List<Map<String, Object>> whitelist) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleSet.fromConfig(whitelist, null));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
