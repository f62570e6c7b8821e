package io.wsp.server.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may register which agent id. A per-agent key registers its own id only, so one leaked key
 * exposes one agent and is revoked alone; the shared secret (the Go wsp's) registers any id that
 * has no key of its own. With neither configured, any agent may register. Immutable.
 */
public final class AgentCredentials {

    private final KeyDigest shared;
    private final Map<String, KeyDigest> perAgent = new LinkedHashMap<>();

    /** {@code sharedSecret} empty: no shared secret. */
    public AgentCredentials(String sharedSecret, List<AgentKey> agentKeys) {
        shared = sharedSecret.isEmpty() ? null : KeyDigest.ofKey(sharedSecret);
        for (AgentKey k : agentKeys) {
            if (perAgent.containsKey(k.agentId())) {
                throw new IllegalArgumentException("agents: agent id " + k.agentId() + " is listed twice");
            }
            // A key that opened two ids would not say which one it may register.
            boolean reused = (shared != null && shared.sameKeyAs(k.key()))
                    || perAgent.values().stream().anyMatch(other -> other.sameKeyAs(k.key()));
            if (reused) {
                throw new IllegalArgumentException("agents: the key of agent " + k.agentId() + " is already in use");
            }
            perAgent.put(k.agentId(), k.key());
        }
    }

    /** Whether agents must present a key at all. */
    public boolean required() {
        return shared != null || !perAgent.isEmpty();
    }

    public boolean hasSharedSecret() {
        return shared != null;
    }

    public int agentKeyCount() {
        return perAgent.size();
    }

    /**
     * What a presented key may register, or empty when it is none of ours. Every configured key
     * is compared, so the time taken does not tell which one matched.
     */
    public Optional<AgentPrincipal> authenticate(String presented, String remoteAddress) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] digest = KeyDigest.digest(presented);
        boolean matched = shared != null && shared.matches(digest);
        String owner = null;
        for (Map.Entry<String, KeyDigest> e : perAgent.entrySet()) {
            if (e.getValue().matches(digest)) {
                owner = e.getKey();
                matched = true;
            }
        }
        return matched ? Optional.of(new AgentPrincipal(owner, remoteAddress)) : Optional.empty();
    }

    /**
     * Whether a connection whose handshake proved {@code proved} may register as {@code agentId}.
     * Nothing proved while keys are required means the handshake was not checked: refused.
     */
    public boolean permits(AgentPrincipal proved, String agentId) {
        if (!required()) {
            return true;
        }
        if (proved == null) {
            return false;
        }
        return proved.agentId() == null ? !perAgent.containsKey(agentId) : proved.agentId().equals(agentId);
    }
}
