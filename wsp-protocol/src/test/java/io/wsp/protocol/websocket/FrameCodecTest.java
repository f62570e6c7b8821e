package io.wsp.protocol.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {

    private static final int MAX_TEXT = 1024;

    @Test
    void readsTheMaskedHelloOfRfc6455() throws Exception {
        Recorder recorder = new Recorder();
        new FrameReader(true, MAX_TEXT, recorder).feed(ByteBuffer.wrap(
                bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58)));
        assertEquals(List.of("text Hello"), recorder.events);
    }

    @Test
    void writesTheUnmaskedHelloOfRfc6455() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out, false).text("Hello");
        assertArrayEquals(bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), out.toByteArray());
    }

    @Test
    void answersTheHandshakeKeyOfRfc6455() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
        assertEquals(true, WebSocketHandshake.validKey(WebSocketHandshake.newKey()));
        assertEquals(false, WebSocketHandshake.validKey("dGhlIHNhbXBsZQ=="));
        assertEquals(false, WebSocketHandshake.validKey(null));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyKindOfFrameSurvivesAnySplitOfItsBytes(boolean masked) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out, masked);
        writer.text("héllo");
        writer.binary(ByteBuffer.wrap(random(3, 7)), false);
        writer.ping(utf8("p"));
        writer.binary(ByteBuffer.wrap(random(200, 8)), false);
        writer.binary(ByteBuffer.allocate(0), true);
        writer.binary(ByteBuffer.allocate(0), true);
        writer.pong(utf8("q"));
        writer.close(1001, "bye");
        int length = out.size();
        List<String> expected = List.of("text héllo", "ping p", "binary 203", "binary 0", "pong q", "close 1001 bye");
        for (int split = 0; split <= length; split++) {
            // The reader unmasks in place: each round reads its own copy.
            byte[] wire = out.toByteArray();
            Recorder recorder = new Recorder();
            FrameReader reader = new FrameReader(masked, MAX_TEXT, recorder);
            reader.feed(ByteBuffer.wrap(wire, 0, split));
            reader.feed(ByteBuffer.wrap(wire, split, wire.length - split));
            assertEquals(expected, recorder.events, "split at " + split);
        }
        Recorder oneByOne = new Recorder();
        FrameReader reader = new FrameReader(masked, MAX_TEXT, oneByOne);
        for (byte b : out.toByteArray()) {
            reader.feed(ByteBuffer.wrap(new byte[] {b}));
        }
        assertEquals(expected, oneByOne.events);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 65_537, 70_000, 1_000_003})
    void payloadsOfEveryLengthClassArriveIntact(int size) throws Exception {
        byte[] body = random(size, size);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out, true).binary(ByteBuffer.wrap(body), true);
        Recorder recorder = new Recorder();
        FrameReader reader = new FrameReader(true, MAX_TEXT, recorder);
        byte[] wire = out.toByteArray();
        Random splits = new Random(size);
        for (int at = 0; at < wire.length; ) {
            int n = Math.min(wire.length - at, 1 + splits.nextInt(9000));
            reader.feed(ByteBuffer.wrap(wire, at, n));
            at += n;
        }
        assertEquals(1, recorder.binaries.size());
        assertArrayEquals(body, recorder.binaries.get(0));
    }

    @Test
    void aHeadAndAWholeBodyGoOutInOneFlush() throws Exception {
        int[] flushes = {0};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void flush() {
                flushes[0]++;
            }
        };
        new FrameWriter(out, true).textThenBinary("head", ByteBuffer.wrap(random(70_000, 3)));
        assertEquals(1, flushes[0]);
        Recorder recorder = new Recorder();
        new FrameReader(true, MAX_TEXT, recorder).feed(ByteBuffer.wrap(out.toByteArray()));
        assertEquals(List.of("text head", "binary 70000"), recorder.events);
        assertArrayEquals(random(70_000, 3), recorder.binaries.get(0));
    }

    @Test
    void aCloseWithoutCodeReportsNoStatusAndEndsTheStream() throws Exception {
        Recorder recorder = new Recorder();
        FrameReader reader = new FrameReader(false, MAX_TEXT, recorder);
        reader.feed(ByteBuffer.wrap(bytes(0x88, 0x00, 0x81, 0x01, 0x41)));
        assertEquals(List.of("close 1005 "), recorder.events);
    }

    @Test
    void aTextLargerThanTheLimitIsRefusedWith1009() {
        byte[] wire = header(0x81, MAX_TEXT + 1);
        assertRefused(wire, CloseCodes.TOO_BIG);
        // also when the fragments only add up to too much
        byte[] first = concat(header(0x01, 600), new byte[600]);
        assertRefused(concat(first, header(0x80, 600)), CloseCodes.TOO_BIG);
    }

    @Test
    void textThatIsNotUtf8IsRefusedWith1007() {
        assertRefused(bytes(0x81, 0x02, 0xc3, 0x28), CloseCodes.INVALID_PAYLOAD);
        assertRefused(bytes(0x88, 0x04, 0x03, 0xe8, 0xc3, 0x28), CloseCodes.INVALID_PAYLOAD);
    }

    @Test
    void brokenFramingIsRefusedWith1002() {
        assertRefused(bytes(0xc1, 0x00), CloseCodes.PROTOCOL_ERROR);             // reserved bit
        assertRefused(bytes(0x83, 0x00), CloseCodes.PROTOCOL_ERROR);             // unknown opcode
        assertRefused(bytes(0x09, 0x00), CloseCodes.PROTOCOL_ERROR);             // fragmented ping
        assertRefused(header(0x89, 126), CloseCodes.PROTOCOL_ERROR);             // oversized ping
        assertRefused(bytes(0x80, 0x00), CloseCodes.PROTOCOL_ERROR);             // continuation first
        assertRefused(bytes(0x02, 0x00, 0x81, 0x00), CloseCodes.PROTOCOL_ERROR); // message in a message
        assertRefused(bytes(0x88, 0x01, 0x03), CloseCodes.PROTOCOL_ERROR);       // one-byte close
        assertRefused(bytes(0x88, 0x02, 0x03, 0xed), CloseCodes.PROTOCOL_ERROR); // close code 1005
        assertRefused(bytes(0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0), CloseCodes.PROTOCOL_ERROR); // 2^63
    }

    @Test
    void maskingMustMatchTheSide() {
        FrameReader server = new FrameReader(true, MAX_TEXT, new Recorder());
        WebSocketProtocolException unmasked = assertThrows(WebSocketProtocolException.class,
                () -> server.feed(ByteBuffer.wrap(bytes(0x81, 0x00))));
        assertEquals(CloseCodes.PROTOCOL_ERROR, unmasked.closeCode());
        FrameReader client = new FrameReader(false, MAX_TEXT, new Recorder());
        assertThrows(WebSocketProtocolException.class,
                () -> client.feed(ByteBuffer.wrap(bytes(0x81, 0x80, 1, 2, 3, 4))));
    }

    @Test
    void eachClientFrameHasItsOwnKey() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out, true);
        writer.text("a");
        writer.text("a");
        byte[] wire = out.toByteArray();
        assertEquals(7, wire.length / 2);
        assertEquals(false, java.util.Arrays.equals(wire, 2, 6, wire, 9, 13));
    }

    @Test
    void closeReasonsAreCutToFitAControlFrame() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out, false).close(1011, "x".repeat(500));
        Recorder recorder = new Recorder();
        new FrameReader(false, MAX_TEXT, recorder).feed(ByteBuffer.wrap(out.toByteArray()));
        assertEquals("close 1011 " + "x".repeat(120) + "...", recorder.events.get(0));
    }

    private static void assertRefused(byte[] wire, int code) {
        FrameReader reader = new FrameReader(false, MAX_TEXT, new Recorder());
        WebSocketProtocolException e = assertThrows(WebSocketProtocolException.class,
                () -> reader.feed(ByteBuffer.wrap(wire)));
        assertEquals(code, e.closeCode(), e.getMessage());
    }

    /** An unmasked frame header announcing {@code length} bytes. */
    private static byte[] header(int first, int length) {
        if (length <= 125) {
            return bytes(first, length);
        }
        return bytes(first, 126, length >> 8, length & 0xff);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] random(int size, long seed) {
        byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
