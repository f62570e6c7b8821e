package io.wsp.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IpLiteralTest {

    /** The dotted-IPv4 grammar as a regular expression: the hand-written check must agree with it. */
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|\\d{1,2})(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|\\d{1,2})){3}");

    @Test
    void edgeCasesOfDottedIpv4() {
        for (String s : new String[] {"0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.", ".1.2.3.4",
                "1..2.3", "01.2.3.4", "001.2.3.4", "199.2.3.4", "299.1.1.1", "1.2.3.4.5", "1234.1.1.1", "", "a.b.c.d",
                "1.2.3.4a", "10.0.0.1"}) {
            assertEquals(IPV4.matcher(s).matches(), IpLiteral.isDottedIpv4(s), s);
        }
    }

    @Test
    void agreesWithTheGrammarOnRandomStrings() {
        Random random = new Random(42);
        String alphabet = "0123456789..2255";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(17);
            for (int i = 0; i < length; i++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertEquals(IPV4.matcher(s).matches(), IpLiteral.isDottedIpv4(s.toString()), s.toString());
        }
    }
}
