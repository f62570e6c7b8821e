package io.wsp.rules;

import java.net.InetAddress;
import java.util.List;

/**
 * Addresses the agent refuses unless an allow rule names them: link-local ranges, where cloud
 * metadata services (credentials!) answer, and the IPv6 address of the EC2 metadata service. A
 * catch-all such as {@code 0.0.0.0/0} does not name them; {@code 169.254.169.254/32} does.
 */
public final class ProtectedAddresses {

    /** IPv4 link-local, home of 169.254.169.254 (AWS, GCP, Azure, ... metadata). */
    public static final Cidr LINK_LOCAL_V4 = Cidr.parse("169.254.0.0/16");
    /** IPv6 link-local. */
    public static final Cidr LINK_LOCAL_V6 = Cidr.parse("fe80::/10");
    /** The EC2 instance metadata service over IPv6. */
    public static final Cidr EC2_METADATA_V6 = Cidr.parse("fd00:ec2::254/128");

    private static final List<Cidr> ALL = List.of(LINK_LOCAL_V4, LINK_LOCAL_V6, EC2_METADATA_V6);

    private ProtectedAddresses() {
    }

    public static boolean contains(InetAddress address) {
        return ALL.stream().anyMatch(c -> c.contains(address));
    }

    /** Whether {@code range} lies inside a protected range: a rule with it names what it allows there. */
    public static boolean named(Cidr range) {
        return ALL.stream().anyMatch(range::isWithin);
    }
}
