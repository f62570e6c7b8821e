package io.wsp.protocol;

/**
 * The first text message an agent sends on a new connection: {@code <id>_<poolIdleSize>}.
 *
 * @param agentId      the agent's id; its pool on the server is keyed by it
 * @param poolIdleSize how many idle connections the agent keeps open
 */
public record Greeting(String agentId, int poolIdleSize) {

    public Greeting {
        if (!validId(agentId)) {
            throw new IllegalArgumentException("agent id must be 1-" + WspProtocol.MAX_AGENT_ID_LENGTH
                    + " printable characters");
        }
        if (poolIdleSize < 0 || poolIdleSize > WspProtocol.MAX_POOL_SIZE) {
            throw new IllegalArgumentException("pool idle size must be 0-" + WspProtocol.MAX_POOL_SIZE);
        }
    }

    public String encode() {
        return agentId + "_" + poolIdleSize;
    }

    /**
     * Splits at the last underscore, so ids that contain underscores still parse (the Go server
     * splits at the first and would misread them).
     */
    public static Greeting parse(String message) throws ProtocolException {
        if (message == null || message.length() > WspProtocol.MAX_AGENT_ID_LENGTH + 8) {
            throw new ProtocolException("greeting missing or too long");
        }
        int sep = message.lastIndexOf('_');
        if (sep < 0) {
            throw new ProtocolException("greeting must be <id>_<poolIdleSize>");
        }
        String id = message.substring(0, sep);
        String size = message.substring(sep + 1);
        if (!validId(id)) {
            throw new ProtocolException("greeting has an invalid agent id");
        }
        if (size.isEmpty() || size.length() > 5 || !size.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ProtocolException("greeting has an invalid pool size");
        }
        int poolIdleSize = Integer.parseInt(size);
        if (poolIdleSize > WspProtocol.MAX_POOL_SIZE) {
            throw new ProtocolException("greeting pool size above " + WspProtocol.MAX_POOL_SIZE);
        }
        return new Greeting(id, poolIdleSize);
    }

    /** Agent ids are 1-200 printable ASCII characters without spaces. */
    public static boolean validId(String id) {
        return id != null && !id.isEmpty() && id.length() <= WspProtocol.MAX_AGENT_ID_LENGTH
                && id.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
