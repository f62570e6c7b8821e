package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class HeadCodecTest {

    private static final HeadCodec CODEC = new HeadCodec();

    @AfterAll
    static void close() throws Exception {
        CODEC.close();
    }

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
    void responseStatusMustBeThreeDigits() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeResponse("{\"StatusCode\":0}"));
        assertThrows(ProtocolException.class, () -> CODEC.decodeResponse("{\"StatusCode\":1000}"));
    }

    @Test
    void headerValuesWithLineBreaksAreRefused() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(
                "{\"StatusCode\":200,\"Header\":{\"X\":[\"a\\r\\nSet-Cookie: evil\"]}}"));
    }

    @Test
    void headerNamesMustBeTokens() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(
                "{\"StatusCode\":200,\"Header\":{\"Bad Name\":[\"a\"]}}"));
    }

    @Test
    void malformedJsonIsAProtocolError() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeResponse("{not json"));
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("[1,2]"));
    }

    @Test
    void requestNeedsMethodAndUrl() {
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("{\"URL\":\"http://a/\"}"));
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("{\"Method\":\"GET\"}"));
        assertThrows(ProtocolException.class, () -> CODEC.decodeRequest("{\"Method\":\"G T\",\"URL\":\"http://a/\"}"));
    }
}
