package io.wsp.server.auth;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the caller behind a {@code /request} from {@code X-API-Key} or, when that is absent,
 * {@code Authorization: Bearer}. {@code X-API-Key} wins so that a caller can still send its own
 * {@code Authorization} to the internal API. Immutable.
 */
public final class CallerAuthenticator {

    public static final String API_KEY_HEADER = PresentedKey.API_KEY_HEADER;
    public static final String AUTHORIZATION_HEADER = PresentedKey.AUTHORIZATION_HEADER;

    /** How {@code /request} treats callers, as {@code /status} shows it. */
    public enum Mode {
        /** No keys and none required: anyone who reaches the server may call. */
        OFF,
        /** Keys exist but are not required: a request without a known key passes as anonymous. */
        OPTIONAL,
        /** Every request needs a known key. */
        REQUIRED
    }

    private final List<CallerKey> keys;
    private final boolean required;

    public CallerAuthenticator(List<CallerKey> keys, boolean required) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            CallerKey k = keys.get(i);
            if (!names.add(k.name())) {
                throw new IllegalArgumentException("callers: the name " + k.name() + " is used twice");
            }
            for (int j = 0; j < i; j++) {
                if (keys.get(j).key().sameKeyAs(k.key())) {
                    throw new IllegalArgumentException("callers: " + k.name() + " has the key of " + keys.get(j).name());
                }
            }
        }
        this.keys = List.copyOf(keys);
        this.required = required;
    }

    public Mode mode() {
        if (required) {
            return Mode.REQUIRED;
        }
        return keys.isEmpty() ? Mode.OFF : Mode.OPTIONAL;
    }

    public int keyCount() {
        return keys.size();
    }

    /**
     * The caller, from the request's {@code Authorization} and {@code X-API-Key} values (null when
     * absent); empty when a key is required and none of ours was given. A value that is not one
     * of our keys is left for the internal API when keys are optional.
     */
    public Optional<Caller> authenticate(String authorization, String apiKey) {
        PresentedKey presented = PresentedKey.of(authorization, apiKey);
        CallerKey key = presented == null ? null : find(presented.token());
        if (key != null) {
            return Optional.of(new Caller(key, presented.header()));
        }
        return required ? Optional.empty() : Optional.of(Caller.ANONYMOUS);
    }

    /** Compares with every key, so the time taken does not tell which one matched. */
    private CallerKey find(String token) {
        byte[] digest = KeyDigest.digest(token);
        CallerKey found = null;
        for (CallerKey k : keys) {
            if (k.key().matches(digest)) {
                found = k;
            }
        }
        return found;
    }
}
