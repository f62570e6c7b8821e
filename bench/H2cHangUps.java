import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that offer an upgrade to cleartext HTTP/2 and hang up with a GOAWAY while the answer is
 * written (bench/h2c-hangups.sh; README, Errors). Every 2 s, 8 fresh HTTP/1.1 clients ask the
 * server's health page; prints one line per round and stops at the first round none answers, or at
 * the end. Usage: java bench/H2cHangUps.java BASE_URL THREADS SECONDS
 */
public class H2cHangUps {

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int threads = Integer.parseInt(args[1]);
        long end = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
        AtomicLong hungUp = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                while (System.nanoTime() < end) {
                    hangUp(base);
                    hungUp.incrementAndGet();
                }
            });
        }
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(2000);
            int answered = 0;
            for (int i = 0; i < 8; i++) {
                HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                try {
                    fresh.send(HttpRequest.newBuilder(base.resolve("/health/live")).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    answered++;
                } catch (IOException e) {
                    // Not answered within 3 s.
                }
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            System.out.printf("after %d s: %d hang-ups; new connections answered: %d of 8%n", seconds, hungUp.get(), answered);
            if (answered == 0) {
                System.out.println("the listener stopped answering");
                System.exit(1);
            }
        }
        System.out.println("the listener kept answering");
        System.exit(0);
    }

    /** The upgrade request, then at once or after the first answer bytes: the preface, SETTINGS and GOAWAY; gone. */
    private static void hangUp(URI base) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /health/live HTTP/1.1\r\nHost: " + base.getHost() + "\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (ThreadLocalRandom.current().nextBoolean()) {
                socket.getInputStream().read(new byte[64]);
            }
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(frame(0x4, new byte[0]));   // SETTINGS
            out.write(frame(0x7, new byte[8]));   // GOAWAY, last stream 0, NO_ERROR
            out.flush();
        } catch (IOException e) {
            // The server closed first, or no longer answers: the rounds tell.
        }
    }

    /** An HTTP/2 frame on stream 0 with no flags (RFC 9113, 4.1). */
    private static byte[] frame(int type, byte[] payload) {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        return frame;
    }
}
