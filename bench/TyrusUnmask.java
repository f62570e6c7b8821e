import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How fast Tyrus turns masked client frames back into data on this machine: the code every body
 * byte from an agent to a Tyrus server (Payara, GlassFish) goes through. Times Tyrus's own
 * {@code ProtocolHandler.unframe} on 64 KiB masked binary frames, after a warm-up, and prints
 * nanoseconds per byte and MB/s. The agent jar carries the same Tyrus as Payara Micro 7.2026.11:
 *
 * <pre>java -cp wsp-agent/target/wsp-agent.jar bench/TyrusUnmask.java</pre>
 */
public final class TyrusUnmask {

    private static final int PAYLOAD = 64 * 1024;

    public static void main(String[] args) throws Exception {
        Class<?> handlerClass = Class.forName("org.glassfish.tyrus.core.ProtocolHandler");
        Class<?> keys = Class.forName("org.glassfish.tyrus.core.MaskingKeyGenerator");
        // Package-private: the container makes one per connection; false = the server's end.
        Constructor<?> make = handlerClass.getDeclaredConstructor(boolean.class, keys);
        make.setAccessible(true);
        var unframe = handlerClass.getMethod("unframe", ByteBuffer.class);
        byte[] frame = maskedBinaryFrame();

        long bytes = 0;
        long start = 0;
        int rounds = 30_000;
        for (int i = 0; i < rounds; i++) {
            if (i == rounds / 3) {
                // The first third is the JIT's warm-up.
                bytes = 0;
                start = System.nanoTime();
            }
            Object handler = make.newInstance(false, null);
            unframe.invoke(handler, ByteBuffer.wrap(frame));
            bytes += PAYLOAD;
        }
        double nanos = System.nanoTime() - start;
        System.out.printf("Tyrus ProtocolHandler.unframe (%s), 64 KiB masked frames, Java %s: %.1f ns per byte, %.0f MB/s%n",
                handlerClass.getProtectionDomain().getCodeSource().getLocation().getPath(), Runtime.version(),
                nanos / bytes, bytes * 1e3 / nanos);
    }

    /** FIN + binary, a 64-bit length, a mask key and the masked payload, as a client sends it. */
    private static byte[] maskedBinaryFrame() {
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + PAYLOAD);
        b.put((byte) 0x82).put((byte) (0x80 | 127)).putLong(PAYLOAD);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        b.put(mask);
        for (int i = 0; i < PAYLOAD; i++) {
            b.put((byte) (i ^ mask[i % 4]));
        }
        return b.array();
    }
}
