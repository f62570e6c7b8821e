package io.wsp.protocol;

import jakarta.json.JsonException;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Encodes and decodes request and response heads, and checks what a peer may not send.
 * Thread safe: one instance per process is enough (JSON-B caches its reflection per instance).
 */
/**
 * Encodes and decodes request and response heads, and checks what a peer may not send.
 * Thread safe: one instance per process is enough.
 *
 * <p>Written with JSON-P's streaming parser and generator rather than JSON-B binding: the heads
 * have three or four fixed fields, and binding them by reflection was a quarter of the agent's
 * CPU per small request. Field names are Go's, matched exactly; unknown fields are skipped.
 */
public final class HeadCodec {

    /** The lowest status that can end an exchange (RFC 9110 15.2: 1xx are interim). */
    static final int MIN_FINAL_STATUS = 200;

    /** HTTP/1.1 status codes are three digits (RFC 9112 4). */
    static final int MAX_STATUS = 999;

    private static final String METHOD = "Method";
    private static final String URL = "URL";
    private static final String HEADER = "Header";
    private static final String CONTENT_LENGTH = "ContentLength";
    private static final String STATUS_CODE = "StatusCode";

    private final JsonProvider json = JsonProvider.provider();

    public String encode(RequestHead head) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            if (head.method != null) {
                g.write(METHOD, head.method);
            }
            if (head.url != null) {
                g.write(URL, head.url);
            }
            writeHeader(g, head.header);
            g.write(CONTENT_LENGTH, head.contentLength);
            g.writeEnd();
        }
        return out.toString();
    }

    public String encode(ResponseHead head) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.write(STATUS_CODE, head.statusCode);
            writeHeader(g, head.header);
            g.write(CONTENT_LENGTH, head.contentLength);
            g.writeEnd();
        }
        return out.toString();
    }

    /** A null header is left out, as Go leaves it nil. */
    private static void writeHeader(JsonGenerator g, Map<String, List<String>> header) {
        if (header == null) {
            return;
        }
        g.writeStartObject(HEADER);
        for (Map.Entry<String, List<String>> e : header.entrySet()) {
            g.writeStartArray(e.getKey());
            if (e.getValue() != null) {
                for (String value : e.getValue()) {
                    if (value != null) {
                        g.write(value);
                    }
                }
            }
            g.writeEnd();
        }
        g.writeEnd();
    }

    public RequestHead decodeRequest(String text) throws ProtocolException {
        RequestHead head = new RequestHead();
        parse(text, (name, event, p) -> {
            switch (name) {
                case METHOD -> head.method = string(event, p);
                case URL -> head.url = string(event, p);
                case HEADER -> head.header = header(event, p);
                case CONTENT_LENGTH -> head.contentLength = number(event, p).longValueExact();
                default -> skip(event, p);
            }
        });
        if (head.method == null || head.method.isEmpty() || !isToken(head.method)) {
            throw new ProtocolException("request head has an invalid method");
        }
        if (head.url == null || head.url.isEmpty()) {
            throw new ProtocolException("request head has no URL");
        }
        checkHeaders(head.header);
        return head;
    }

    public ResponseHead decodeResponse(String text) throws ProtocolException {
        ResponseHead head = new ResponseHead();
        parse(text, (name, event, p) -> {
            switch (name) {
                case STATUS_CODE -> head.statusCode = number(event, p).intValueExact();
                case HEADER -> head.header = header(event, p);
                case CONTENT_LENGTH -> head.contentLength = number(event, p).longValueExact();
                default -> skip(event, p);
            }
        });
        // A 1xx is interim: sent as the final status it would leave the caller waiting for another.
        if (head.statusCode < MIN_FINAL_STATUS || head.statusCode > MAX_STATUS) {
            throw new ProtocolException("response head has an invalid status code " + head.statusCode);
        }
        checkHeaders(head.header);
        return head;
    }

    private interface Field {
        /** Reads the value that starts with {@code event}. */
        void read(String name, Event event, JsonParser parser) throws ProtocolException;
    }

    private void parse(String text, Field field) throws ProtocolException {
        if (text == null || text.length() > WspProtocol.MAX_TEXT_MESSAGE) {
            throw new ProtocolException("head missing or too large");
        }
        try (JsonParser p = json.createParser(new StringReader(text))) {
            if (!p.hasNext() || p.next() != Event.START_OBJECT) {
                throw invalid();
            }
            Event event;
            while ((event = p.next()) != Event.END_OBJECT) {
                if (event != Event.KEY_NAME) {
                    throw invalid();
                }
                String name = p.getString();
                field.read(name, p.next(), p);
            }
            if (p.hasNext()) {
                throw invalid();
            }
        } catch (JsonException | NoSuchElementException | IllegalStateException | ArithmeticException e) {
            // A fixed message: it becomes a close reason, and the parser's text holds the peer's input.
            throw new ProtocolException("head is not valid JSON", e);
        }
    }

    private static String string(Event event, JsonParser p) throws ProtocolException {
        if (event == Event.VALUE_NULL) {
            return null;
        }
        if (event != Event.VALUE_STRING) {
            throw invalid();
        }
        return p.getString();
    }

    private static BigDecimal number(Event event, JsonParser p) throws ProtocolException {
        if (event != Event.VALUE_NUMBER) {
            throw invalid();
        }
        return p.getBigDecimal();
    }

    private static Map<String, List<String>> header(Event event, JsonParser p) throws ProtocolException {
        if (event == Event.VALUE_NULL) {
            return null;
        }
        if (event != Event.START_OBJECT) {
            throw invalid();
        }
        Map<String, List<String>> header = new LinkedHashMap<>();
        Event e;
        while ((e = p.next()) != Event.END_OBJECT) {
            String name = p.getString();
            Event value = p.next();
            if (value == Event.VALUE_NULL) {
                header.put(name, null);
                continue;
            }
            if (value != Event.START_ARRAY) {
                throw invalid();
            }
            List<String> values = new ArrayList<>(1);
            while ((e = p.next()) != Event.END_ARRAY) {
                values.add(string(e, p));
            }
            header.put(name, values);
        }
        return header;
    }

    private static void skip(Event event, JsonParser p) {
        if (event == Event.START_OBJECT) {
            p.skipObject();
        } else if (event == Event.START_ARRAY) {
            p.skipArray();
        }
    }

    private static ProtocolException invalid() {
        return new ProtocolException("head is not valid JSON");
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
    public static boolean isToken(String s) {
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
}
