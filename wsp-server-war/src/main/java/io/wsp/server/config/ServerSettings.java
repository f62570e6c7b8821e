package io.wsp.server.config;

import io.wsp.protocol.WspProtocol;
import io.wsp.rules.RuleSet;
import io.wsp.server.auth.AgentKey;
import io.wsp.server.auth.CallerKey;
import io.wsp.server.auth.KeyDigest;
import java.time.Duration;
import java.util.List;

/**
 * The server's effective settings, immutable once loaded.
 *
 * @param secretKey   shared agent registration secret; empty means agents are not checked
 * @param timeout     how long a request waits for an idle agent connection (wsp's {@code timeout})
 * @param idleTimeout how long a connection beyond an agent's idle pool size may stay idle
 * @param responseTimeout how long the agent may take to send the response head
 * @param bodyIdleTimeout how long a response body may go without a byte before it is aborted
 * @param pingInterval how often silent idle connections are pinged (zero: never); two silent
 *                     intervals drop the connection
 * @param maxWaiting  how many requests may wait for an idle connection at once
 * @param maxHeaderBytes largest header section a caller may send, and largest response head (JSON)
 *                    an agent may send
 * @param maxRequestBodyBytes largest request body a caller may send; zero: no limit
 * @param shutdownGrace how long requests in flight may take to finish once the server is stopping
 * @param rules       which destinations callers may reach through this server
 * @param agentKeys   per-agent registration keys, each for its own agent id only
 * @param callerKeys  API keys callers of {@code /request} may present
 * @param requireCallerAuth whether {@code /request} refuses callers without a known key
 * @param adminKey    the key {@code /status} and {@code /metrics} require; null: they are open
 */
public record ServerSettings(String secretKey, Duration timeout, Duration idleTimeout, Duration responseTimeout,
                             Duration bodyIdleTimeout, Duration pingInterval, int maxWaiting, int maxHeaderBytes,
                             long maxRequestBodyBytes, Duration shutdownGrace, RuleSet rules,
                             List<AgentKey> agentKeys, List<CallerKey> callerKeys, boolean requireCallerAuth,
                             KeyDigest adminKey) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(1000);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMillis(60_000);
    /** Long enough for slow reports, short enough that a lost agent does not hold callers for good. */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofMillis(60_000);
    /** Far above the keep-alive gaps of event streams (seconds), far below "forever". */
    public static final Duration DEFAULT_BODY_IDLE_TIMEOUT = Duration.ofMillis(300_000);
    /** Each waiting request holds a caller connection; a thousand is far above a healthy backlog. */
    public static final int DEFAULT_MAX_WAITING = 1000;
    /** Frequent enough to drop a dead agent within half a minute, rare enough to cost nothing. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofMillis(15_000);
    /** Eight times the 8 KiB most servers accept per header section: room for big cookies and tokens, no more. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
    /** Smallest limit: a plain request with forwarding headers and a request id must still fit. */
    public static final int MIN_MAX_HEADER_BYTES = 1024;
    /**
     * Largest limit: a header section turns into a request head of at most about twice its size
     * (JSON quoting), which must stay within the protocol's text message limit.
     */
    public static final int MAX_MAX_HEADER_BYTES = WspProtocol.MAX_TEXT_MESSAGE / 2;
    /** Off: bodies stream in constant memory, so their size alone costs the server nothing. */
    public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 0;
    /** Most API calls finish well within it; orchestrators allow about 30 s before a hard kill. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofMillis(10_000);

    public ServerSettings {
        if (secretKey == null) {
            secretKey = "";
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive");
        }
        if (responseTimeout.isNegative() || responseTimeout.isZero()) {
            throw new IllegalArgumentException("responseTimeout must be positive");
        }
        if (bodyIdleTimeout.isNegative() || bodyIdleTimeout.isZero()) {
            throw new IllegalArgumentException("bodyIdleTimeout must be positive");
        }
        if (pingInterval.isNegative()) {
            throw new IllegalArgumentException("pingInterval must not be negative");
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("maxWaiting must not be negative");
        }
        if (maxHeaderBytes < MIN_MAX_HEADER_BYTES || maxHeaderBytes > MAX_MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("maxHeaderBytes must be " + MIN_MAX_HEADER_BYTES + "-" + MAX_MAX_HEADER_BYTES);
        }
        if (maxRequestBodyBytes < 0) {
            throw new IllegalArgumentException("maxRequestBodyBytes must not be negative");
        }
        agentKeys = List.copyOf(agentKeys);
        callerKeys = List.copyOf(callerKeys);
    }

    /** For the start-up log line: secrets are never printed, only whether and how many are set. */
    @Override
    public String toString() {
        return "secretKey=" + (secretKey.isEmpty() ? "(none)" : "****") + " agentKeys=" + agentKeys.size()
                + " callerKeys=" + callerKeys.size() + " requireCallerAuth=" + requireCallerAuth
                + " adminKey=" + (adminKey == null ? "(none)" : "****")
                + " timeout=" + timeout.toMillis()
                + "ms idleTimeout=" + idleTimeout.toMillis() + "ms responseTimeout=" + responseTimeout.toMillis()
                + "ms bodyIdleTimeout=" + bodyIdleTimeout.toMillis() + "ms pingInterval=" + pingInterval.toMillis() + "ms maxWaiting=" + maxWaiting + " maxHeaderBytes=" + maxHeaderBytes
                + " maxRequestBodyBytes=" + (maxRequestBodyBytes == 0 ? "(no limit)" : maxRequestBodyBytes) + " whitelist=" + rules.whitelistSize()
                + " blacklist=" + rules.blacklistSize();
    }
}
