package io.wsp.agent.forward;

/**
 * The agent's rules refuse a destination. The message says which rule, for the agent's log only:
 * the caller gets a fixed 403, so probing cannot map the rules.
 */
final class DestinationRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    DestinationRefusedException(String reason) {
        super(reason, null, false, false);
    }
}
