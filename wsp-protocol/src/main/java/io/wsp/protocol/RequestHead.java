package io.wsp.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.List;
import java.util.Map;

/** The JSON text message that announces a request (Go wsp's {@code HTTPRequest}). */
public final class RequestHead {

    @JsonbProperty("Method")
    public String method;

    @JsonbProperty("URL")
    public String url;

    @JsonbProperty("Header")
    public Map<String, List<String>> header;

    /** Body length in bytes, or {@link WspProtocol#UNKNOWN_LENGTH}. */
    @JsonbProperty("ContentLength")
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
