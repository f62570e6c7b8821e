package io.wsp.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A configured key, held only as its SHA-256 digest: a presented key is digested and the two
 * digests compared in constant time, so neither the key nor the time taken leaks how close a guess
 * came. Configuring the digest instead of the key keeps the key itself out of config files.
 */
public final class KeyDigest {

    private final byte[] sha256;

    private KeyDigest(byte[] sha256) {
        this.sha256 = sha256;
    }

    /** From the key itself. */
    public static KeyDigest ofKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a key must not be empty");
        }
        return new KeyDigest(digest(key));
    }

    /** From the key's SHA-256 in hex, as {@code printf %s KEY | sha256sum} prints it. */
    public static KeyDigest ofSha256Hex(String hex) {
        if (hex == null || !hex.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("a key's SHA-256 must be 64 hex digits");
        }
        return new KeyDigest(HexFormat.of().parseHex(hex));
    }

    /** The digest of a key a peer presented, to compare with {@link #matches}. */
    public static byte[] digest(String presented) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(presented.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Constant time. */
    public boolean matches(byte[] presentedDigest) {
        return MessageDigest.isEqual(sha256, presentedDigest);
    }

    boolean sameKeyAs(KeyDigest other) {
        return matches(other.sha256);
    }

    /** Keys end up in records that get printed; the digest is not printed either. */
    @Override
    public String toString() {
        return "****";
    }
}
