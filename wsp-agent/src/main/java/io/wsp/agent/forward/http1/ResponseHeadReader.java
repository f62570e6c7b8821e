package io.wsp.agent.forward.http1;

import io.wsp.protocol.Headers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Parses response heads and chunk framing lines from a connection's input. Not thread safe. */
final class ResponseHeadReader {

    /** Status line plus header lines of one head; more is a broken or hostile destination. */
    static final int MAX_HEAD_BYTES = 64 * 1024;

    /** A chunk-size line with its extensions; real ones are a few bytes. */
    static final int MAX_CHUNK_LINE = 4 * 1024;

    /** A parsed status line and header section. */
    record Head(int version1x, int status, Map<String, List<String>> headers) {

        /** Values of {@code name}, ignoring its case. */
        List<String> all(String name) {
            return Headers.all(headers, name);
        }

        /** True when a Connection header carries the token {@code close}. */
        boolean saysClose() {
            for (String value : all("Connection")) {
                for (String token : value.split(",")) {
                    if (token.strip().equalsIgnoreCase("close")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private ResponseHeadReader() {
    }

    /** Reads one head (which may be interim, 1xx). */
    static Head read(Http1Input in) throws IOException {
        int budget = MAX_HEAD_BYTES;
        String statusLine = in.readLine(budget);
        budget -= statusLine.length() + 2;
        // "HTTP/1.1 200 OK": the reason phrase is optional and ignored.
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' '
                || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new Http1Exception("malformed status line");
        }
        char minor = statusLine.charAt(7);
        if (minor != '0' && minor != '1') {
            throw new Http1Exception("unsupported HTTP version");
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new Http1Exception("malformed status code");
            }
            status = status * 10 + (c - '0');
        }
        if (status < 100) {
            throw new Http1Exception("malformed status code");
        }
        // Repeated names merged case-insensitively; first spelling and arrival order kept.
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        while (true) {
            if (budget <= 0) {
                throw new Http1Exception("response head too large");
            }
            String line = in.readLine(budget);
            budget -= line.length() + 2;
            if (line.isEmpty()) {
                break;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new Http1Exception("obsolete header line folding");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Http1Exception("malformed header line");
            }
            String name = line.substring(0, colon);
            if (!RequestHeadEncoder.isToken(name)) {
                throw new Http1Exception("malformed header name");
            }
            String value = line.substring(colon + 1).strip();
            List<String> values = headers.get(name);
            if (values == null) {
                values = new ArrayList<>(1);
                headers.put(name, values);
                ordered.put(name, values);
            }
            values.add(value);
        }
        return new Head(minor - '0', status, Collections.unmodifiableMap(ordered));
    }

    /** The size of the next chunk, its extensions ignored. */
    static long readChunkSize(Http1Input in) throws IOException {
        String line = in.readLine(MAX_CHUNK_LINE);
        int end = line.indexOf(';');
        String hex = (end < 0 ? line : line.substring(0, end)).strip();
        if (hex.isEmpty() || hex.length() > 15) {
            throw new Http1Exception("malformed chunk size");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0) {
                throw new Http1Exception("malformed chunk size");
            }
            size = size * 16 + digit;
        }
        return size;
    }

    /** Skips the trailer section after the last chunk, within the head size limit. */
    static void skipTrailers(Http1Input in) throws IOException {
        int budget = MAX_HEAD_BYTES;
        while (true) {
            if (budget <= 0) {
                throw new Http1Exception("response trailers too large");
            }
            String line = in.readLine(budget);
            if (line.isEmpty()) {
                return;
            }
            budget -= line.length() + 2;
        }
    }

    /** The CRLF that ends a chunk's data. */
    static void readChunkEnd(Http1Input in) throws IOException {
        if (!in.readLine(2).isEmpty()) {
            throw new Http1Exception("malformed chunk end");
        }
    }
}
