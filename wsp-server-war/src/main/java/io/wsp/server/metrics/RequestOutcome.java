package io.wsp.server.metrics;

/**
 * One {@code /request} as it ended, for the counters and the access log.
 *
 * @param requestId   the request's id, as sent to the caller and the internal API
 * @param caller      the caller key's name, or {@code anonymous}
 * @param agentId     the agent that carried it; null when none did (refused, no agent)
 * @param method      the HTTP method
 * @param destination the destination without its query (logs never hold one); null when invalid
 * @param status      the status the caller got; {@value #CALLER_GONE} when it left before one was sent
 * @param bytesIn     request body bytes sent on to the agent
 * @param bytesOut    response body bytes sent to the caller
 * @param nanos       from the request's arrival to its end
 * @param error       why wsp failed it (agent lost, timeout, aborted body...); null when it did not
 */
public record RequestOutcome(String requestId, String caller, String agentId, String method, String destination,
                             int status, long bytesIn, long bytesOut, long nanos, String error) {

    /** nginx's "client closed request": the caller went away before any status was sent. */
    public static final int CALLER_GONE = 499;
}
