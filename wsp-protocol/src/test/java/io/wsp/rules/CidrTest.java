package io.wsp.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void ipv4RangeContainsItsFirstAndLastAddressAndNothingAround() throws Exception {
        Cidr range = Cidr.parse("10.1.2.0/23");
        assertFalse(range.contains(ip("10.1.1.255")));
        assertTrue(range.contains(ip("10.1.2.0")));
        assertTrue(range.contains(ip("10.1.3.255")));
        assertFalse(range.contains(ip("10.1.4.0")));
    }

    @Test
    void ipv6RangeContainsItsFirstAndLastAddressAndNothingAround() throws Exception {
        Cidr range = Cidr.parse("fd00:ec2::/127");
        assertFalse(range.contains(ip("fd00:ec1:ffff:ffff:ffff:ffff:ffff:ffff")));
        assertTrue(range.contains(ip("fd00:ec2::")));
        assertTrue(range.contains(ip("fd00:ec2::1")));
        assertFalse(range.contains(ip("fd00:ec2::2")));
    }

    @Test
    void aBareAddressIsARangeOfOne() throws Exception {
        assertEquals(Cidr.parse("127.0.0.2/32"), Cidr.parse("127.0.0.2"));
        assertEquals(Cidr.parse("::1/128"), Cidr.parse("::1"));
        assertFalse(Cidr.parse("127.0.0.2").contains(ip("127.0.0.1")));
    }

    @Test
    void prefixZeroContainsEveryAddressOfItsFamilyOnly() throws Exception {
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(ip("2001:db8::1")));
        assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
        assertFalse(Cidr.parse("::/0").contains(ip("203.0.113.9")));
    }

    @Test
    void anIpv4MappedAddressIsCheckedAsItsIpv4Address() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254};
        // Inet6Address.getByAddress keeps the IPv6 form, unlike InetAddress.getByName.
        InetAddress v6Form = Inet6Address.getByAddress(null, mapped, null);
        assertTrue(Cidr.parse("169.254.0.0/16").contains(v6Form));
    }

    @Test
    void anIpv4MappedRangeIsTheIpv4Range() throws Exception {
        Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");
        assertEquals(Cidr.parse("10.0.0.0/8"), mapped);
        assertTrue(mapped.contains(ip("10.200.0.1")));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::ffff:10.0.0.0/95"));
    }

    @Test
    void hostBitsAfterThePrefixAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.1/8"));
        assertTrue(e.getMessage().contains("bits set after its prefix"), e.getMessage());
    }

    @Test
    void namesAndMalformedTextAreRefusedWithoutALookUp() {
        for (String bad : new String[] {"localhost", "example.com/24", "10.0.0/8", "10.0.0.0/33", "::/129",
                "10.0.0.0/-1", "10.0.0.0/", "fe80::1%eth0", "", "300.0.0.0/8"}) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
    }

    @Test
    void isWithinComparesWholeRanges() {
        Cidr linkLocal = Cidr.parse("169.254.0.0/16");
        assertTrue(Cidr.parse("169.254.169.254/32").isWithin(linkLocal));
        assertTrue(linkLocal.isWithin(linkLocal));
        assertFalse(Cidr.parse("169.0.0.0/8").isWithin(linkLocal));
        assertFalse(Cidr.parse("0.0.0.0/0").isWithin(linkLocal));
        assertFalse(Cidr.parse("fe80::/64").isWithin(linkLocal));
    }

    @Test
    void toStringIsCanonical() {
        assertEquals("fd00:ec2:0:0:0:0:0:254/128", Cidr.parse("fd00:ec2::254").toString());
        assertEquals("10.0.0.0/8", Cidr.parse(" 10.0.0.0/8 ").toString());
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
