package io.wsp.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.List;
import java.util.Map;

/** The JSON text message that announces a response (Go wsp's {@code HTTPResponse}). */
public final class ResponseHead {

    @JsonbProperty("StatusCode")
    public int statusCode;

    @JsonbProperty("Header")
    public Map<String, List<String>> header;

    /** Body length in bytes, or {@link WspProtocol#UNKNOWN_LENGTH}. */
    @JsonbProperty("ContentLength")
    public long contentLength = WspProtocol.UNKNOWN_LENGTH;

    public ResponseHead() {
    }

    public ResponseHead(int statusCode, Map<String, List<String>> header, long contentLength) {
        this.statusCode = statusCode;
        this.header = header;
        this.contentLength = contentLength;
    }
}
