package io.wsp.server.metrics;

import java.util.Map;

/**
 * Counts what goes through {@code /request}, per agent and in total. Kept behind this small
 * interface so counts shared by several server nodes can replace the local ones.
 */
public interface TrafficStats {

    /** The key under which requests no agent carried (refused, no agent connected) are counted. */
    String NO_AGENT = "";

    /** A request was handed to one of {@code agentId}'s connections. */
    void started(String agentId);

    /**
     * A request ended. One that {@link #started} on an agent ends with that agent's id, exactly
     * once; one that never reached an agent ends with a null agent id.
     */
    void finished(RequestOutcome outcome);

    /** Every agent that carried or was asked for a request since start, and {@link #NO_AGENT}. */
    Map<String, AgentTraffic> byAgent();

    DurationHistogram.Snapshot durations();
}
