package io.wsp.server.auth;

import java.util.List;
import java.util.Map;

/**
 * Who sent a {@code /request}: a caller key, or anonymous when keys are not required.
 *
 * @param key              the caller's key; null for an anonymous caller
 * @param credentialHeader the header that carried the key, which the internal API must not see;
 *                         null when none did
 */
public record Caller(CallerKey key, String credentialHeader) {

    static final Caller ANONYMOUS = new Caller(null, null);

    /** For logs. */
    public String name() {
        return key == null ? "anonymous" : key.name();
    }

    /** The agent this caller's request goes to ({@code requested}, null for any), if allowed. */
    public String agent(String requested) throws ForbiddenException {
        return key == null ? requested : key.agent(requested);
    }

    /** Passes when this caller may reach the destination. */
    public void checkDestination(String method, String url, Map<String, List<String>> headers)
            throws ForbiddenException {
        if (key != null) {
            key.checkDestination(method, url, headers);
        }
    }
}
