package io.wsp.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address range in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}); a bare
 * address is a range of one. An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) is the IPv4
 * address it maps, both in a range and in what is checked against it, so neither form slips past
 * a rule written in the other. Immutable.
 */
public final class Cidr {

    private static final Pattern PREFIX = Pattern.compile("\\d{1,3}");
    /** Bits an IPv4-mapped IPv6 address spends before its IPv4 part. */
    private static final int MAPPED_PREFIX_BITS = 96;

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code address/prefix} or a bare address. Only IP literals: a range never triggers a
     * name look-up. Host bits set after the prefix ({@code 10.0.0.1/8}) are refused as a likely typo.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        String literal = slash < 0 ? t : t.substring(0, slash);
        boolean v6 = literal.indexOf(':') >= 0;
        byte[] bytes = IpLiteral.parse(literal)
                .orElseThrow(() -> new IllegalArgumentException("not an IP address or CIDR: " + t)).getAddress();
        int textBits = v6 ? 128 : 32;
        int prefix = textBits;
        if (slash >= 0) {
            String digits = t.substring(slash + 1);
            if (!PREFIX.matcher(digits).matches() || Integer.parseInt(digits) > textBits) {
                throw new IllegalArgumentException("CIDR prefix must be 0-" + textBits + ": " + t);
            }
            prefix = Integer.parseInt(digits);
        }
        if (v6 && bytes.length == 4) {
            // Java turned ::ffff:a.b.c.d into its IPv4 address: count the prefix in IPv4 bits too.
            if (prefix < MAPPED_PREFIX_BITS) {
                throw new IllegalArgumentException("an IPv4-mapped CIDR needs a prefix of 96-128: " + t);
            }
            prefix -= MAPPED_PREFIX_BITS;
        }
        byte[] masked = mask(bytes, prefix);
        if (!Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException("CIDR has bits set after its prefix: " + t);
        }
        return new Cidr(masked, prefix);
    }

    /** Whether {@code address} (IPv4-mapped IPv6 counts as IPv4) lies in this range. */
    public boolean contains(InetAddress address) {
        byte[] bytes = canonical(address.getAddress());
        return bytes.length == network.length && Arrays.equals(mask(bytes, prefix), network);
    }

    /** Whether this whole range lies inside {@code outer}. */
    public boolean isWithin(Cidr outer) {
        return network.length == outer.network.length && prefix >= outer.prefix
                && Arrays.equals(mask(network, outer.prefix), outer.network);
    }

    /** The bytes of an IPv4-mapped IPv6 address as IPv4; any other address unchanged. */
    static byte[] canonical(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
            return address;
        }
        return Arrays.copyOfRange(address, 12, 16);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] &= (byte) (0xff00 >> bits);
        }
        return masked;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
