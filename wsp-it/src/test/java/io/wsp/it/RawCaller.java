package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What a test caller needs that java.net.http does not do: read while it writes, read with a deadline. */
final class RawCaller {

    private RawCaller() {
    }

    /**
     * POSTs {@code size} bytes of {@link TestData} to {@code request} as a raw HTTP/1.0 caller that
     * reads while it writes and gets the echo close-delimited, so the bytes read are exactly the
     * body; checks the echo's SHA-256. {@code headLines} are extra header lines, each ending in CRLF.
     * Any hop that waits for the whole body before answering deadlocks here.
     */
    static void assertEchoStreamsBothWays(URI request, String destination, String headLines, long size)
            throws Exception {
        try (Socket caller = new Socket(request.getHost(), request.getPort())) {
            CompletableFuture<Void> upload = OwnThread.run(() -> {
                try {
                    OutputStream out = caller.getOutputStream();
                    out.write(("POST " + request.getRawPath() + " HTTP/1.0\r\nHost: localhost\r\nContent-Length: " + size
                            + "\r\n" + headLines + "X-PROXY-DESTINATION: " + destination + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    TestData.write(size, out);
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            CompletableFuture<String> echoed = OwnThread.supply(() -> {
                try {
                    InputStream in = caller.getInputStream();
                    String head = readHead(in);
                    assertTrue(head.startsWith("HTTP/1.1 200") || head.startsWith("HTTP/1.0 200"), head);
                    return TestData.sha256Hex(in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // Neither side may wait for the other to finish.
            upload.get(120, TimeUnit.SECONDS);
            assertEquals(TestData.sha256Hex(size), echoed.get(120, TimeUnit.SECONDS));
        }
    }

    /** The status line and headers, up to the blank line. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /**
     * Reads {@code events} server-sent events from the API's {@code /sse}, releasing each next one
     * only once the previous one arrived: a hop that buffers the stream hangs here, and fails.
     */
    static void assertEventsOneByOne(HttpResponse<InputStream> r, InternalApi api, int events) throws Exception {
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElseThrow());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (int i = 1; i <= events; i++) {
                assertEquals("data: event " + i, readLineWithin(lines, 20));
                assertEquals("", readLineWithin(lines, 20));
                api.releaseNextEvent();
            }
            assertEquals(null, readLineWithin(lines, 20));
        }
    }

    /** The next line, or a timeout: a stream that stalls fails the test instead of hanging it. */
    static String readLineWithin(BufferedReader reader, int seconds) throws Exception {
        return OwnThread.supply(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(seconds, TimeUnit.SECONDS);
    }
}
