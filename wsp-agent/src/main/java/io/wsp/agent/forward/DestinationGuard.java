package io.wsp.agent.forward;

import io.wsp.rules.ProtectedAddresses;
import io.wsp.rules.RuleSet;
import io.wsp.rules.Target;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The agent's final say on where a request may go, whatever the server allowed. Deny by default:
 * without an allow rule nothing passes unless the agent was started with allow-all. The host is
 * resolved here, once, and every address it resolves to must pass the rules; link-local and
 * metadata addresses must also be named by an allow rule. The request then goes to the address
 * checked here, so a name that resolves elsewhere a moment later (DNS rebinding) changes nothing.
 * Thread safe.
 */
final class DestinationGuard {

    /** Looks a host name up; {@code InetAddress::getAllByName} in production. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final String NO_ALLOW_RULE = "no allow rule (the agent was started without --allow, --allow-cidr or --allow-all)";

    private final RuleSet rules;
    private final boolean allowAll;
    private final Resolver resolver;

    DestinationGuard(RuleSet rules, boolean allowAll, Resolver resolver) {
        this.rules = rules;
        this.allowAll = allowAll;
        this.resolver = resolver;
    }

    /** Whether every request will be refused: no allow rule and no allow-all. */
    boolean refusesEverything() {
        return !allowAll && rules.whitelistSize() == 0;
    }

    /**
     * The address to connect to for {@code target}.
     *
     * @throws DestinationRefusedException when the rules refuse it; the message says why, for the log
     * @throws UnknownHostException when the host does not resolve
     */
    InetAddress admit(Target target) throws DestinationRefusedException, UnknownHostException {
        if (refusesEverything()) {
            throw new DestinationRefusedException(NO_ALLOW_RULE);
        }
        Optional<String> denied = rules.deniedWhateverTheAddress(target);
        if (denied.isPresent()) {
            throw new DestinationRefusedException(denied.get());
        }
        InetAddress[] addresses = resolver.resolve(target.host());
        for (InetAddress address : addresses) {
            check(target.withAddress(address));
        }
        return addresses[0];
    }

    private void check(Target resolved) throws DestinationRefusedException {
        String address = resolved.address().getHostAddress();
        Optional<String> denied = rules.deniedReason(resolved);
        if (denied.isPresent()) {
            throw new DestinationRefusedException(denied.get() + " at address " + address);
        }
        if (ProtectedAddresses.contains(resolved.address()) && !rules.whitelistNames(resolved, ProtectedAddresses::named)) {
            throw new DestinationRefusedException("link-local or metadata address " + address
                    + " is not named by an allow rule's cidr");
        }
    }
}
