package io.wsp.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.protocol.Labels;
import org.junit.jupiter.api.Test;

class HandshakesTest {

    private final Handshakes handshakes = new Handshakes();

    @Test
    void aTokenGivesItsHandshakeOnceAndOnlyItsOwn() {
        Handshake a = new Handshake(null, "192.0.2.1", Labels.NONE);
        Handshake b = new Handshake(null, "192.0.2.2", Labels.parse("env=prod"));
        String ta = handshakes.put(a);
        String tb = handshakes.put(b);
        assertNotEquals(ta, tb);
        assertEquals(32, ta.length(), "128 random bits, hex");
        assertSame(b, handshakes.take(tb).orElseThrow());
        assertSame(a, handshakes.take(ta).orElseThrow());
        assertTrue(handshakes.take(ta).isEmpty(), "a token is used once");
    }

    @Test
    void unknownAndMissingTokensGiveNothing() {
        handshakes.put(new Handshake(null, "192.0.2.1", Labels.NONE));
        assertTrue(handshakes.take("00000000000000000000000000000000").isEmpty());
        assertTrue(handshakes.take(null).isEmpty());
    }
}
