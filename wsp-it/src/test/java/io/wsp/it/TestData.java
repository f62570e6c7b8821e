package io.wsp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic bodies of any size, generated on the fly so no test holds a large body in
 * memory: both ends can compute the same bytes and compare sha256 digests.
 */
public final class TestData {

    private TestData() {
    }

    /** A stream of {@code size} bytes from a fixed xorshift sequence. */
    public static InputStream stream(long size) {
        return new InputStream() {
            private long left = size;
            private long state = 0x9E3779B97F4A7C15L;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    b[off + i] = (byte) state;
                }
                left -= n;
                return n;
            }
        };
    }

    public static void write(long size, OutputStream out) throws IOException {
        try (InputStream in = stream(size)) {
            in.transferTo(out);
        }
    }

    public static String sha256Hex(long size) throws IOException {
        return sha256Hex(stream(size));
    }

    public static String sha256Hex(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
            sha.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
