package io.wsp.server.registry;

import io.wsp.protocol.Labels;

/**
 * Which agents may serve a request: the one named by id, or those whose labels include the
 * selector's, or both at once; {@link #ANY} when the caller did not say.
 *
 * @param agentId the agent asked for by id; null for any
 * @param labels  labels the agent must have; empty for any
 */
public record AgentSelector(String agentId, Labels labels) {

    public static final AgentSelector ANY = new AgentSelector(null, Labels.NONE);

    public AgentSelector {
        if (labels == null) {
            labels = Labels.NONE;
        }
    }

    public static AgentSelector id(String agentId) {
        return new AgentSelector(agentId, Labels.NONE);
    }

    public boolean matches(String id, Labels agentLabels) {
        return (agentId == null || agentId.equals(id)) && agentLabels.includes(labels);
    }

    /** For the caller's 503: what was asked for that nobody could serve. */
    public String describe() {
        if (agentId == null) {
            return labels.isEmpty() ? "no agent is connected" : "no connected agent has labels " + labels;
        }
        return "agent '" + agentId + "'" + (labels.isEmpty() ? "" : " with labels " + labels) + " is not connected";
    }
}
