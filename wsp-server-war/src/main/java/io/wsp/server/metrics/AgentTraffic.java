package io.wsp.server.metrics;

import java.time.Instant;

/**
 * One agent's traffic since the server started, at one moment.
 *
 * @param inFlight    requests it is carrying now
 * @param byClass     requests ended, by status class: index 0 for 1xx up to 4 for 5xx
 * @param bytesIn     request body bytes sent to it
 * @param bytesOut    response body bytes it sent to callers
 * @param errors      requests wsp failed while it carried them (see {@link RequestOutcome#error})
 * @param lastError   the latest such reason; null when none
 * @param lastErrorAt when that was; null when none
 */
public record AgentTraffic(long inFlight, long[] byClass, long bytesIn, long bytesOut, long errors, String lastError,
                           Instant lastErrorAt) {

    public static final AgentTraffic NONE = new AgentTraffic(0, new long[5], 0, 0, 0, null, null);

    public long requests() {
        long sum = 0;
        for (long n : byClass) {
            sum += n;
        }
        return sum;
    }

    /** {@code 2xx} for 200-299, and so on. */
    public static String className(int index) {
        return (index + 1) + "xx";
    }
}
