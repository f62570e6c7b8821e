package io.wsp.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void hostIsLowerCaseAndPortDefaultsToTheSchemes() {
        Target t = Target.of("GET", "https://API.Example/x", Map.of());
        assertEquals("api.example", t.host());
        assertEquals(443, t.port());
        assertNull(t.address(), "a name is not looked up");
    }

    @Test
    void ipLiteralsCarryTheirAddress() throws Exception {
        assertEquals(InetAddress.getByName("10.0.0.1"), Target.of("GET", "http://10.0.0.1:81/", Map.of()).address());
        Target v6 = Target.of("GET", "http://[::ffff:169.254.169.254]/", Map.of());
        assertEquals("::ffff:169.254.169.254", v6.host());
        assertEquals(InetAddress.getByName("169.254.169.254"), v6.address());
    }

    @Test
    void nearMissesOfLiteralsAreNames() {
        assertNull(Target.of("GET", "http://300.0.0.1/", Map.of()).address());
        assertNull(Target.of("GET", "http://10.0.1/", Map.of()).address());
        assertNull(IpLiteral.parse(".:1").orElse(null));
        assertNull(IpLiteral.parse("g::1").orElse(null));
    }

    @Test
    void anUnparsableUrlHasNoHostAndNoPort() {
        Target t = Target.of("GET", "not a url", Map.of());
        assertEquals("", t.host());
        assertEquals(-1, t.port());
    }
}
