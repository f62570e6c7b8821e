package io.wsp.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.rules.RuleSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerAuthenticatorTest {

    private static final CallerKey CI = new CallerKey("ci", KeyDigest.ofKey("ci-key"), Set.of(), RuleSet.allowAll());
    private static final CallerKey ONE_AGENT = new CallerKey("one", KeyDigest.ofKey("one-key"), Set.of("a1"),
            RuleSet.allowAll());
    private static final CallerKey TWO_AGENTS = new CallerKey("two", KeyDigest.ofKey("two-key"), Set.of("a1", "a2"),
            RuleSet.fromConfig(List.of(Map.of("url", "^http://api/")), List.of()));

    private final CallerAuthenticator required = new CallerAuthenticator(List.of(CI, ONE_AGENT, TWO_AGENTS), true);

    @Test
    void aBearerTokenIdentifiesTheCallerAndItsHeaderIsNotForwarded() {
        Caller caller = required.authenticate("Bearer ci-key", null).orElseThrow();
        assertEquals("ci", caller.name());
        assertEquals("Authorization", caller.credentialHeader());
        assertEquals("ci", required.authenticate("bearer  ci-key", null).orElseThrow().name());
    }

    @Test
    void xApiKeyWinsSoTheCallersOwnAuthorizationReachesTheInternalApi() {
        Caller caller = required.authenticate("Basic dXNlcjpwdw==", "ci-key").orElseThrow();
        assertEquals("ci", caller.name());
        assertEquals("X-API-Key", caller.credentialHeader());
    }

    @Test
    void aMissingOrUnknownKeyIsRefusedWhenRequired() {
        assertTrue(required.authenticate(null, null).isEmpty());
        assertTrue(required.authenticate("Bearer nope", null).isEmpty());
        assertTrue(required.authenticate("Basic ci-key", null).isEmpty());
        assertTrue(required.authenticate(null, "").isEmpty());
    }

    @Test
    void withoutKeysAnyoneCallsAndEveryHeaderIsForwarded() {
        CallerAuthenticator off = new CallerAuthenticator(List.of(), false);
        assertEquals(CallerAuthenticator.Mode.OFF, off.mode());
        Caller caller = off.authenticate("Bearer internal-token", null).orElseThrow();
        assertNull(caller.key());
        assertNull(caller.credentialHeader());
    }

    @Test
    void whenOptionalAnUnknownKeyPassesAsAnonymousAndAKnownOneStillApplies() {
        CallerAuthenticator optional = new CallerAuthenticator(List.of(CI), false);
        assertEquals(CallerAuthenticator.Mode.OPTIONAL, optional.mode());
        assertNull(optional.authenticate("Bearer internal-token", null).orElseThrow().credentialHeader());
        assertEquals("ci", optional.authenticate(null, "ci-key").orElseThrow().name());
    }

    @Test
    void requiredWithoutKeysRefusesEveryone() {
        CallerAuthenticator locked = new CallerAuthenticator(List.of(), true);
        assertEquals(CallerAuthenticator.Mode.REQUIRED, locked.mode());
        assertTrue(locked.authenticate("Bearer x", "y").isEmpty());
    }

    @Test
    void aKeyLimitedToAgentsMayUseThoseOnly() throws Exception {
        Caller one = required.authenticate(null, "one-key").orElseThrow();
        assertEquals("a1", one.agent(null), "a key for one agent goes there without asking");
        assertEquals("a1", one.agent("a1"));
        assertThrows(ForbiddenException.class, () -> one.agent("a2"));
        Caller two = required.authenticate(null, "two-key").orElseThrow();
        assertEquals("a2", two.agent("a2"));
        assertThrows(ForbiddenException.class, () -> two.agent(null), "a key for several agents names one");
        Caller any = required.authenticate(null, "ci-key").orElseThrow();
        assertNull(any.agent(null));
        assertEquals("zz", any.agent("zz"));
    }

    @Test
    void aKeysDestinationRulesApply() throws Exception {
        Caller two = required.authenticate(null, "two-key").orElseThrow();
        two.checkDestination("GET", "http://api/x", Map.of());
        assertThrows(ForbiddenException.class, () -> two.checkDestination("GET", "http://other/x", Map.of()));
    }

    @Test
    void namesAndKeysAreUnique() {
        assertThrows(IllegalArgumentException.class, () -> new CallerAuthenticator(List.of(CI,
                new CallerKey("ci", KeyDigest.ofKey("other"), Set.of(), RuleSet.allowAll())), true));
        assertThrows(IllegalArgumentException.class, () -> new CallerAuthenticator(List.of(CI,
                new CallerKey("ci2", KeyDigest.ofKey("ci-key"), Set.of(), RuleSet.allowAll())), true));
    }

    @Test
    void keysAreNeverPrinted() {
        assertEquals("CallerKey[name=ci, key=****, agents=[], rules=" + CI.rules() + "]", CI.toString());
    }
}
