package io.wsp.server.registry;

import io.wsp.protocol.Labels;
import io.wsp.server.agent.AgentConnection;
import io.wsp.server.agent.WebSocket;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Agent connections over a WebSocket that only records {@code close()}: the registry touches
 * nothing else, so registry tests need no container. Threads: the set is guarded by itself.
 */
public final class ClosingSockets {

    private final Set<AgentConnection> closed = new HashSet<>();

    public AgentConnection connection(String agent, int idleSize, Labels labels) {
        AgentConnection[] self = new AgentConnection[1];
        WebSocket socket = new WebSocket() {
            @Override
            public void sendText(String message) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void sendBinary(ByteBuffer data, boolean last) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean ping() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close(int code, String reason) {
                synchronized (closed) {
                    closed.add(self[0]);
                }
            }

            @Override
            public boolean isOpen() {
                synchronized (closed) {
                    return !closed.contains(self[0]);
                }
            }
        };
        self[0] = new AgentConnection(socket, agent, idleSize, labels, "192.0.2.1");
        return self[0];
    }

    public boolean wasClosed(AgentConnection connection) {
        synchronized (closed) {
            return closed.contains(connection);
        }
    }

    /** How many of the connections made here were closed. */
    public int closedCount() {
        synchronized (closed) {
            return closed.size();
        }
    }
}
