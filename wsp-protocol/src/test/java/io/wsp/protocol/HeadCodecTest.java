package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadCodecTest {

    private static final HeadCodec CODEC = new HeadCodec();

    @Test
    void requestHeadUsesGoFieldNames() {
        String json = CODEC.encode(new RequestHead("POST", "http://api:8081/x",
                Map.of("Content-Type", List.of("text/plain")), 5));
        assertTrue(json.contains("\"Method\":\"POST\""), json);
        assertTrue(json.contains("\"URL\":\"http://api:8081/x\""), json);
        assertTrue(json.contains("\"Header\":{\"Content-Type\":[\"text/plain\"]}"), json);
        assertTrue(json.contains("\"ContentLength\":5"), json);
    }

    @Test
    void decodesGoResponseHeadAndIgnoresUnknownFields() throws Exception {
        ResponseHead head = CODEC.decodeResponse(
                "{\"StatusCode\":404,\"Header\":{\"X-A\":[\"1\",\"2\"]},\"ContentLength\":-1,\"Future\":true}");
        assertEquals(404, head.statusCode);
        assertEquals(List.of("1", "2"), head.header.get("X-A"));
        assertEquals(WspProtocol.UNKNOWN_LENGTH, head.contentLength);
    }

    @Test
    void goNullHeaderDecodesAsNull() throws Exception {
        ResponseHead head = CODEC.decodeResponse("{\"StatusCode\":527,\"Header\":null,\"ContentLength\":12}");
        assertEquals(527, head.statusCode);
        assertNull(head.header);
        assertEquals(12, head.contentLength);
    }

    @Test
    void requestRoundTrips() throws Exception {
        RequestHead in = new RequestHead("DELETE", "http://a/b?c=d", Map.of("X", List.of("y")), 0);
        RequestHead out = CODEC.decodeRequest(CODEC.encode(in));
        assertEquals("DELETE", out.method);
        assertEquals("http://a/b?c=d", out.url);
        assertEquals(Map.of("X", List.of("y")), out.header);
        assertEquals(0, out.contentLength);
    }

    @Test
    void responseStatusMustBeAFinalThreeDigitCode() throws Exception {
        for (String status : List.of("0", "99", "100", "101", "199", "1000", "-200", "\"abc\"", "null")) {
            assertThrows(ProtocolException.class, () -> CODEC.decodeResponse("{\"StatusCode\":" + status + "}"), status);
        }
        assertEquals(200, CODEC.decodeResponse("{\"StatusCode\":200}").statusCode);
        assertEquals(999, CODEC.decodeResponse("{\"StatusCode\":999}").statusCode);
    }

    @Test
    void aResponseWithoutStatusIsRefused() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeResponse("{\"Header\":{}}"));
    }

    @Test
    void headerValuesWithLineBreaksAreRefused() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(
                "{\"StatusCode\":200,\"Header\":{\"X\":[\"a\\r\\nSet-Cookie: evil\"]}}"));
    }

    @Test
    void headerNamesMustBeTokens() {
        for (String name : List.of("Bad Name", "X\\r\\nSet-Cookie", "X\\n", "X:Y", "")) {
            assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(
                    "{\"StatusCode\":200,\"Header\":{\"" + name + "\":[\"a\"]}}"), name);
        }
    }

    @Test
    void headerValuesWithACarriageReturnLineFeedOrNulAreRefused() {
        for (String value : List.of("a\\rb", "a\\nb", "a\\u0000b")) {
            assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(
                    "{\"StatusCode\":200,\"Header\":{\"X\":[\"" + value + "\"]}}"), value);
        }
    }

    @Test
    void malformedJsonIsAProtocolErrorWithAFixedMessage() {
        for (String json : List.of("{not json", "", "[1,2]", "\"text\"", "{\"StatusCode\":200,\"Header\":[1]}",
                "{\"StatusCode\":200,\"Header\":{\"X\":\"not a list\"}}")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(json), json);
            assertTrue(e.getMessage().startsWith("head is not"), e.getMessage());
        }
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("[1,2]"));
    }

    @Test
    void requestNeedsMethodAndUrl() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("{\"URL\":\"http://a/\"}"));
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("{\"Method\":\"GET\"}"));
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("{\"Method\":\"G T\",\"URL\":\"http://a/\"}"));
    }
}
