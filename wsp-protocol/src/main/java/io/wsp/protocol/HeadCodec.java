package io.wsp.protocol;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes request and response heads, and checks what a peer may not send.
 * Thread safe: one instance per process is enough (JSON-B caches its reflection per instance).
 */
public final class HeadCodec implements AutoCloseable {

    /** The lowest status that can end an exchange (RFC 9110 15.2: 1xx are interim). */
    static final int MIN_FINAL_STATUS = 200;

    /** HTTP/1.1 status codes are three digits (RFC 9112 4). */
    static final int MAX_STATUS = 999;

    private final Jsonb jsonb = JsonbBuilder.create();

    public String encode(RequestHead head) {
        return jsonb.toJson(head);
    }

    public String encode(ResponseHead head) {
        return jsonb.toJson(head);
    }

    public RequestHead decodeRequest(String json) throws ProtocolException {
        RequestHead head = decode(json, RequestHead.class);
        if (head.method == null || head.method.isEmpty() || !isToken(head.method)) {
            throw new ProtocolException("request head has an invalid method");
        }
        if (head.url == null || head.url.isEmpty()) {
            throw new ProtocolException("request head has no URL");
        }
        checkHeaders(head.header);
        return head;
    }

    public ResponseHead decodeResponse(String json) throws ProtocolException {
        ResponseHead head = decode(json, ResponseHead.class);
        // A 1xx is interim: sent as the final status it would leave the caller waiting for another.
        if (head.statusCode < MIN_FINAL_STATUS || head.statusCode > MAX_STATUS) {
            throw new ProtocolException("response head has an invalid status code " + head.statusCode);
        }
        checkHeaders(head.header);
        return head;
    }

    private <T> T decode(String json, Class<T> type) throws ProtocolException {
        if (json == null || json.length() > WspProtocol.MAX_TEXT_MESSAGE) {
            throw new ProtocolException("head missing or too large");
        }
        try {
            T head = jsonb.fromJson(json, type);
            if (head == null) {
                throw new ProtocolException("head is not a JSON object");
            }
            return head;
        } catch (JsonbException | ClassCastException e) {
            // A fixed message: it becomes a close reason, and the parser's text holds the peer's input.
            throw new ProtocolException("head is not valid JSON", e);
        }
    }

    /** Header names must be HTTP tokens and values free of CR/LF, or they could split a message. */
    private static void checkHeaders(Map<String, List<String>> header) throws ProtocolException {
        if (header == null) {
            return;
        }
        for (Map.Entry<String, List<String>> e : header.entrySet()) {
            if (!isToken(e.getKey())) {
                throw new ProtocolException("invalid header name");
            }
            if (e.getValue() == null) {
                continue;
            }
            for (String value : e.getValue()) {
                if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                    throw new ProtocolException("invalid value for header " + e.getKey());
                }
            }
        }
    }

    /** RFC 9110 token: the characters allowed in methods and header names. */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        jsonb.close();
    }
}
