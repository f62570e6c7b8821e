package io.wsp.server.auth;

/**
 * A key a client presented, from {@code X-API-Key} or, when that is absent,
 * {@code Authorization: Bearer}. {@code X-API-Key} wins so that a caller can still send its own
 * {@code Authorization} to the internal API.
 *
 * @param header the header that carried it
 * @param token  the key, trimmed
 */
public record PresentedKey(String header, String token) {

    public static final String API_KEY_HEADER = "X-API-Key";
    public static final String AUTHORIZATION_HEADER = "Authorization";
    private static final String BEARER = "bearer ";

    /** From the request's two header values (null when absent); null when neither holds a key. */
    public static PresentedKey of(String authorization, String apiKey) {
        String header = null;
        String token = null;
        if (apiKey != null) {
            header = API_KEY_HEADER;
            token = apiKey.trim();
        } else if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            header = AUTHORIZATION_HEADER;
            token = authorization.substring(BEARER.length()).trim();
        }
        return token == null || token.isEmpty() ? null : new PresentedKey(header, token);
    }
}
