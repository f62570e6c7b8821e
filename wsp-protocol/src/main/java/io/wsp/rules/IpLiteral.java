package io.wsp.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP address literals, parsed without ever looking a name up (InetAddress would for near misses). */
final class IpLiteral {

    /** Starting with a hex digit or a colon, as InetAddress needs to parse it rather than look it up. */
    private static final Pattern IPV6 = Pattern.compile("(?=.*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    private IpLiteral() {
    }

    /** The address {@code text} spells (dotted IPv4, or IPv6 without brackets or zone), else empty. */
    static Optional<InetAddress> parse(String text) {
        if (!isDottedIpv4(text) && !IPV6.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException malformedIpv6) {
            return Optional.empty();
        }
    }

    /**
     * Four parts of 1-3 digits, none above 255, a three-digit part starting with 1 or 2. By hand
     * rather than by a regular expression: every request's host goes through here.
     */
    static boolean isDottedIpv4(String text) {
        int parts = 0;
        int i = 0;
        int n = text.length();
        while (true) {
            int start = i;
            while (i < n && i - start < 4 && isDigit(text.charAt(i))) {
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3
                    || digits == 3 && (text.charAt(start) != '1' && text.charAt(start) != '2' || Integer.parseInt(text, start, i, 10) > 255)) {
                return false;
            }
            parts++;
            if (i == n) {
                return parts == 4;
            }
            if (text.charAt(i) != '.' || parts == 4) {
                return false;
            }
            i++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
