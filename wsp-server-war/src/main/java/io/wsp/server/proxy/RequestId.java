package io.wsp.server.proxy;

import io.wsp.protocol.WspProtocol;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
        return given != null && VALID.matcher(given).matches() ? given : newId();
    }

    /**
     * A random (version 4) UUID. An id must be unique, not unguessable: {@code UUID.randomUUID()}
     * draws from one shared SecureRandom, which showed in the profile of small requests.
     */
    private static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
