package io.wsp.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which destinations may be called: a request matching any blacklist rule is denied; otherwise,
 * when the whitelist is not empty, one of its rules must match (the Go wsp's order). Whether an
 * empty whitelist allows everything is the caller's policy: the server's, not the agent's.
 */
public final class RuleSet {

    private static final String NOT_WHITELISTED = "destination matches no whitelist rule";

    private final List<Rule> whitelist;
    private final List<Rule> blacklist;

    public RuleSet(List<Rule> whitelist, List<Rule> blacklist) {
        this.whitelist = List.copyOf(whitelist);
        this.blacklist = List.copyOf(blacklist);
    }

    public static RuleSet allowAll() {
        return new RuleSet(List.of(), List.of());
    }

    /**
     * Builds the rules from YAML lists as a parser gives them: mappings with the keys of
     * {@link Rule#fromConfig}.
     *
     * @throws IllegalArgumentException naming the list, the entry and what is wrong with it
     */
    public static RuleSet fromConfig(List<Map<String, Object>> whitelist, List<Map<String, Object>> blacklist) {
        return new RuleSet(parse("whitelist", whitelist), parse("blacklist", blacklist));
    }

    /** These rules with {@code more} whitelist rules after their own. */
    public RuleSet withWhitelisted(List<Rule> more) {
        List<Rule> all = new ArrayList<>(whitelist);
        all.addAll(more);
        return new RuleSet(all, blacklist);
    }

    public boolean isEmpty() {
        return whitelist.isEmpty() && blacklist.isEmpty();
    }

    public int whitelistSize() {
        return whitelist.size();
    }

    public int blacklistSize() {
        return blacklist.size();
    }

    /**
     * Empty when the request is allowed, else why it is not. The address is known only for an IP
     * literal URL: the server resolves no names, so there a CIDR part never matches a name.
     */
    public Optional<String> deniedReason(String method, String url, Map<String, List<String>> headers) {
        if (blacklist.isEmpty() && whitelist.isEmpty()) {
            // No rules, as on most servers: parsing the URL again would cost more than the rest of the check.
            return Optional.empty();
        }
        return deniedReason(Target.of(method, url, headers));
    }

    /** Empty when the request is allowed, else why it is not, naming the blacklist rule that denied it. */
    public Optional<String> deniedReason(Target target) {
        for (int i = 0; i < blacklist.size(); i++) {
            if (blacklist.get(i).matches(target)) {
                return Optional.of(blacklisted(i));
            }
        }
        if (whitelist.isEmpty() || whitelist.stream().anyMatch(r -> r.matches(target))) {
            return Optional.empty();
        }
        return Optional.of(NOT_WHITELISTED);
    }

    /**
     * Why the request is denied whatever address its host resolves to, if it is: so a request that
     * cannot pass costs no name look-up, and a refused name is never sent to DNS.
     */
    public Optional<String> deniedWhateverTheAddress(Target target) {
        for (int i = 0; i < blacklist.size(); i++) {
            Rule rule = blacklist.get(i);
            if (rule.cidr() == null && rule.matchesIgnoringAddress(target)) {
                return Optional.of(blacklisted(i));
            }
        }
        if (whitelist.isEmpty() || whitelist.stream().anyMatch(r -> r.matchesIgnoringAddress(target))) {
            return Optional.empty();
        }
        return Optional.of(NOT_WHITELISTED);
    }

    /** Whether a whitelist rule whose CIDR satisfies {@code named} matches the request. */
    public boolean whitelistNames(Target target, Predicate<Cidr> named) {
        return whitelist.stream().anyMatch(r -> r.cidr() != null && named.test(r.cidr()) && r.matches(target));
    }

    private static String blacklisted(int index) {
        return "destination matches a blacklist rule (blacklist[" + index + "])";
    }

    private static List<Rule> parse(String listName, List<Map<String, Object>> entries) {
        List<Rule> rules = new ArrayList<>();
        if (entries == null) {
            return rules;
        }
        int index = 0;
        for (Object raw : entries) {
            if (!(raw instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException(listName + "[" + index + "] is not a mapping");
            }
            try {
                rules.add(Rule.fromConfig(entry));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(listName + "[" + index + "]: " + ex.getMessage(), ex);
            }
            index++;
        }
        return rules;
    }
}
