package io.wsp.server.agent;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries each checked handshake from {@link HandshakeFilter} to its {@link AgentEndpoint} under
 * a one-time random token that the filter puts in the upgrade request's query string. The request's
 * principal looked like the portable channel, but Payara 6 mixes principals up between concurrent
 * upgrades (with 20 agent connections at once, most were registered without theirs); a query
 * string is plain request data. A token nobody claims (the upgrade failed) expires.
 */
@ApplicationScoped
public class Handshakes {

    /** The query parameter the token travels in. */
    static final String PARAMETER = "wsp-handshake";

    /** An upgrade completes within milliseconds of its filter; a minute covers any stall. */
    private static final long TTL_NANOS = 60_000_000_000L;

    private record Pending(Handshake handshake, long createdNanos) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** Keeps {@code handshake} and returns the token its endpoint claims it with. */
    String put(Handshake handshake) {
        long now = System.nanoTime();
        pending.values().removeIf(p -> now - p.createdNanos() > TTL_NANOS);
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        pending.put(token, new Pending(handshake, now));
        return token;
    }

    /** The handshake the token stands for, once; empty for an unknown, used or expired token. */
    Optional<Handshake> take(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Pending p = pending.remove(token);
        return p == null || System.nanoTime() - p.createdNanos() > TTL_NANOS ? Optional.empty() : Optional.of(p.handshake());
    }
}
