package io.wsp.agent.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.rules.Rule;
import io.wsp.rules.RuleSet;
import io.wsp.rules.Target;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DestinationGuardTest {

    /** Names the fake DNS knows; every look-up is recorded. */
    private final Map<String, List<String>> dns = Map.of(
            "api.internal", List.of("10.0.0.5"),
            "rebind.example", List.of("10.0.0.5", "169.254.169.254"),
            "localhost", List.of("127.0.0.1"),
            "metadata.example", List.of("::ffff:169.254.169.254"));
    private final List<String> lookUps = new ArrayList<>();

    @Test
    void withoutAnAllowRuleEverythingIsRefusedBeforeAnyLookUp() {
        DestinationGuard guard = guard(RuleSet.allowAll(), false);

        DestinationRefusedException e = assertThrows(DestinationRefusedException.class, () -> admit(guard, "http://api.internal/"));
        assertEquals(DestinationGuard.NO_ALLOW_RULE, e.getMessage());
        assertTrue(lookUps.isEmpty());
        assertTrue(guard.refusesEverything());
    }

    @Test
    void allowAllAdmitsAndReturnsTheResolvedAddress() throws Exception {
        assertEquals(InetAddress.getByName("10.0.0.5"), admit(guard(RuleSet.allowAll(), true), "http://api.internal/"));
    }

    @Test
    void aUrlTheWhitelistCannotMatchIsRefusedWithoutALookUp() {
        DestinationGuard guard = guard(new RuleSet(List.of(Rule.ofUrl("^http://api\\.internal/")), List.of()), false);

        assertThrows(DestinationRefusedException.class, () -> admit(guard, "http://other.internal/"));
        assertTrue(lookUps.isEmpty(), "a refused name is never sent to DNS");
    }

    @Test
    void aCidrBlacklistRefusesANameThatResolvesIntoIt() {
        DestinationGuard guard = guard(new RuleSet(List.of(), List.of(Rule.ofCidr("127.0.0.0/8"))), true);

        DestinationRefusedException e = assertThrows(DestinationRefusedException.class, () -> admit(guard, "http://localhost:8081/"));
        assertEquals("destination matches a blacklist rule (blacklist[0]) at address 127.0.0.1", e.getMessage());
    }

    @Test
    void aCidrWhitelistAdmitsOnlyNamesResolvingIntoIt() throws Exception {
        DestinationGuard guard = guard(new RuleSet(List.of(Rule.ofCidr("10.0.0.0/8")), List.of()), false);

        assertEquals(InetAddress.getByName("10.0.0.5"), admit(guard, "http://api.internal/"));
        assertThrows(DestinationRefusedException.class, () -> admit(guard, "http://localhost/"));
    }

    @Test
    void everyResolvedAddressMustPass() {
        DestinationGuard guard = guard(new RuleSet(List.of(Rule.ofCidr("10.0.0.0/8")), List.of()), false);

        assertThrows(DestinationRefusedException.class, () -> admit(guard, "http://rebind.example/"));
    }

    @Test
    void linkLocalIsRefusedEvenWithAllowAll() {
        DestinationGuard guard = guard(RuleSet.allowAll(), true);

        for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/",
                "http://[fd00:ec2::254]/", "http://[fe80::1]/", "http://metadata.example/", "http://rebind.example/")) {
            DestinationRefusedException e = assertThrows(DestinationRefusedException.class, () -> admit(guard, url), url);
            assertTrue(e.getMessage().startsWith("link-local or metadata address"), e.getMessage());
        }
    }

    @Test
    void aCatchAllRangeDoesNotNameMetadata() {
        DestinationGuard guard = guard(new RuleSet(List.of(Rule.ofCidr("0.0.0.0/0")), List.of()), false);

        assertThrows(DestinationRefusedException.class, () -> admit(guard, "http://169.254.169.254/"));
    }

    @Test
    void anAllowRuleNamingTheMetadataAddressAdmitsIt() throws Exception {
        DestinationGuard guard = guard(new RuleSet(List.of(Rule.ofCidr("169.254.169.254/32")), List.of()), false);

        assertEquals(InetAddress.getByName("169.254.169.254"), admit(guard, "http://169.254.169.254/latest/"));
        assertThrows(DestinationRefusedException.class, () -> admit(guard, "http://169.254.169.253/"));
    }

    @Test
    void anUnknownHostIsNotARefusal() {
        assertThrows(UnknownHostException.class, () -> admit(guard(RuleSet.allowAll(), true), "http://nowhere.internal/"));
    }

    private DestinationGuard guard(RuleSet rules, boolean allowAll) {
        return new DestinationGuard(rules, allowAll, host -> {
            lookUps.add(host);
            List<String> ips = dns.get(host);
            if (ips == null && !host.matches("[0-9a-fA-F:.]+")) {
                throw new UnknownHostException(host);
            }
            if (ips == null) {
                // An IP literal: InetAddress parses it without DNS.
                return InetAddress.getAllByName(host);
            }
            InetAddress[] addresses = new InetAddress[ips.size()];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = InetAddress.getByName(ips.get(i));
            }
            return addresses;
        });
    }

    private static InetAddress admit(DestinationGuard guard, String url) throws Exception {
        return guard.admit(Target.of("GET", url, Map.of()));
    }
}
