package io.wsp.server.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyDigestTest {

    @Test
    void aKeyAndItsSha256HexMatchTheSamePresentedKey() {
        // printf %s secret | sha256sum
        String hex = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";
        assertTrue(KeyDigest.ofSha256Hex(hex).matches(KeyDigest.digest("secret")));
        assertTrue(KeyDigest.ofSha256Hex(hex.toUpperCase()).matches(KeyDigest.digest("secret")));
        assertTrue(KeyDigest.ofKey("secret").matches(KeyDigest.digest("secret")));
        assertFalse(KeyDigest.ofKey("secret").matches(KeyDigest.digest("Secret")));
    }

    @Test
    void emptyKeysAndMalformedDigestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> KeyDigest.ofKey(""));
        assertThrows(IllegalArgumentException.class, () -> KeyDigest.ofSha256Hex("abc"));
        assertThrows(IllegalArgumentException.class, () -> KeyDigest.ofSha256Hex("z".repeat(64)));
    }
}
