package io.wsp.server.proxy;

import io.wsp.protocol.WspProtocol;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id that ties a request together across the caller, the server's and the agent's logs and
 * the internal API: the caller's {@code X-Request-Id} when it is a plain token, else a new UUID.
 */
final class RequestId {

    static final String HEADER = WspProtocol.REQUEST_ID_HEADER;

    /** Plain enough to go into a log line or a header without escaping. */
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestId() {
    }

    static String of(HttpServletRequest request) {
        String given = request.getHeader(HEADER);
        return given != null && VALID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }
}
