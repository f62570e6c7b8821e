package io.wsp.protocol;

import java.util.List;
import java.util.Map;

/** The JSON text message that announces a request (Go wsp's {@code HTTPRequest}); its JSON is {@link HeadCodec}'s. */
public final class RequestHead {

    public String method;

    public String url;

    public Map<String, List<String>> header;

    /** Body length in bytes, or {@link WspProtocol#UNKNOWN_LENGTH}. */
    public long contentLength = WspProtocol.UNKNOWN_LENGTH;

    public RequestHead() {
    }

    public RequestHead(String method, String url, Map<String, List<String>> header, long contentLength) {
        this.method = method;
        this.url = url;
        this.header = header;
        this.contentLength = contentLength;
    }
}
