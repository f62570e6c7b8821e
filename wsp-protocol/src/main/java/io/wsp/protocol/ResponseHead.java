package io.wsp.protocol;

import java.util.List;
import java.util.Map;

/** The JSON text message that announces a response (Go wsp's {@code HTTPResponse}); its JSON is {@link HeadCodec}'s. */
public final class ResponseHead {

    public int statusCode;

    public Map<String, List<String>> header;

    /** Body length in bytes, or {@link WspProtocol#UNKNOWN_LENGTH}. */
    public long contentLength = WspProtocol.UNKNOWN_LENGTH;

    public ResponseHead() {
    }

    public ResponseHead(int statusCode, Map<String, List<String>> header, long contentLength) {
        this.statusCode = statusCode;
        this.header = header;
        this.contentLength = contentLength;
    }
}
