package io.wsp.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ProtectedAddressesTest {

    @Test
    void linkLocalAndMetadataAddressesAreProtected() throws Exception {
        for (String ip : new String[] {"169.254.169.254", "169.254.0.0", "169.254.255.255", "::ffff:169.254.169.254",
                "fe80::1", "febf:ffff::1", "fd00:ec2::254"}) {
            assertTrue(ProtectedAddresses.contains(InetAddress.getByName(ip)), ip);
        }
    }

    @Test
    void neighboursAreNot() throws Exception {
        for (String ip : new String[] {"169.253.255.255", "169.255.0.0", "127.0.0.1", "fec0::1", "fd00:ec2::253",
                "fd00:ec2::255", "10.0.0.1"}) {
            assertFalse(ProtectedAddresses.contains(InetAddress.getByName(ip)), ip);
        }
    }

    @Test
    void onlyRangesInsideAProtectedRangeNameIt() {
        assertTrue(ProtectedAddresses.named(Cidr.parse("169.254.169.254")));
        assertTrue(ProtectedAddresses.named(Cidr.parse("169.254.0.0/16")));
        assertTrue(ProtectedAddresses.named(Cidr.parse("fd00:ec2::254")));
        assertFalse(ProtectedAddresses.named(Cidr.parse("0.0.0.0/0")));
        assertFalse(ProtectedAddresses.named(Cidr.parse("169.0.0.0/8")));
        assertFalse(ProtectedAddresses.named(Cidr.parse("fd00::/8")));
    }
}
