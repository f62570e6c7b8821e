package io.wsp.server.auth;

import io.wsp.rules.RuleSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One caller's API key for {@code /request} and what it may reach.
 *
 * @param name   names the caller in logs (the key never appears there)
 * @param key    the key, as a digest
 * @param agents the agent ids this key may use; empty: any
 * @param rules  destination rules applied on top of the server's own
 */
public record CallerKey(String name, KeyDigest key, Set<String> agents, RuleSet rules) {

    public CallerKey {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a caller key needs a name");
        }
        agents = Set.copyOf(agents);
    }

    /**
     * The agent a request goes to: the one it asked for ({@code requested}, null for any), if
     * this key may use it. A key limited to one agent sends requests there without asking; one
     * limited to several must name one, as the registry picks among all agents or exactly one.
     */
    String agent(String requested) throws ForbiddenException {
        if (agents.isEmpty()) {
            return requested;
        }
        if (requested == null) {
            if (agents.size() == 1) {
                return agents.iterator().next();
            }
            throw new ForbiddenException("this API key must name its agent with X-PROXY-AGENT");
        }
        if (!agents.contains(requested)) {
            throw new ForbiddenException("this API key may not use agent '" + requested + "'");
        }
        return requested;
    }

    void checkDestination(String method, String url, Map<String, List<String>> headers) throws ForbiddenException {
        var denied = rules.deniedReason(method, url, headers);
        if (denied.isPresent()) {
            throw new ForbiddenException(denied.get() + " of this API key");
        }
    }
}
