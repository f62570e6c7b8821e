package io.wsp.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsp.protocol.Labels;
import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PeerNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives {@link ClusterMembership#update} with hand-made grid reads and times; start() is never called. */
class ClusterMembershipTest {

    private static final long T0 = 1_000_000_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long TIMEOUT = ClusterMembership.NODE_TIMEOUT.toNanos();

    private final FakeGrid grid = new FakeGrid();
    private final ClusterMembership membership =
            new ClusterMembership(URI.create("http://self.example/"), grid, List::of);
    private final List<PeerNode> left = new ArrayList<>();

    {
        membership.onLeave(left::add);
    }

    @AfterEach
    void close() {
        membership.close();
    }

    /** A grid in memory that records what was withdrawn and whether it was closed. */
    static final class FakeGrid implements Grid {

        final Map<String, String> entries = new HashMap<>();
        final List<String> withdrawn = new ArrayList<>();
        int closed;

        @Override
        public synchronized void publish(String nodeId, String json) {
            entries.put(nodeId, json);
        }

        @Override
        public synchronized void withdraw(String nodeId) {
            withdrawn.add(nodeId);
            entries.remove(nodeId);
        }

        @Override
        public synchronized Map<String, String> read() {
            return new HashMap<>(entries);
        }

        @Override
        public synchronized void close() {
            closed++;
        }
    }

    static NodeState node(String id, String... agents) {
        List<NodeState.Agent> list = new ArrayList<>();
        for (String a : agents) {
            list.add(new NodeState.Agent(a, Labels.NONE, 1, 0));
        }
        return new NodeState(id, URI.create("http://" + id + ".example/"), list);
    }

    /** A grid read: pairs of node state and sequence number, keyed by the node's id. */
    private static Map<String, String> read(Object... statesAndSeqs) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < statesAndSeqs.length; i += 2) {
            NodeState s = (NodeState) statesAndSeqs[i];
            entries.put(s.id(), NodeStateJson.encode(s, ((Number) statesAndSeqs[i + 1]).longValue()));
        }
        return entries;
    }

    private List<String> peerIds() {
        return membership.peers().stream().map(NodeState::id).toList();
    }

    @Test
    void aPeerIsLiveFromItsFirstPublication() {
        NodeState b = node("b", "agent-1");
        membership.update(read(b, 1), T0);
        assertEquals(List.of(b), membership.peers());
    }

    @Test
    void peersAreListedInTheOrderFirstSeen() {
        membership.update(read(node("b"), 1), T0);
        membership.update(read(node("c"), 1, node("b"), 2), T0 + SECOND);
        assertEquals(List.of("b", "c"), peerIds());
    }

    @Test
    void aPeersLatestPublicationReplacesItsEarlierOne() {
        membership.update(read(node("b", "agent-1"), 1), T0);
        NodeState later = node("b", "agent-1", "agent-2");
        membership.update(read(later, 2), T0 + SECOND);
        assertEquals(List.of(later), membership.peers());
    }

    @Test
    void thisNodesOwnEntryIsNeverAPeer() {
        NodeState me = node(membership.id(), "agent-1");
        membership.update(read(me, 1, node("b"), 1), T0);
        membership.update(read(me, 2, node("b"), 2), T0 + SECOND);
        assertEquals(List.of("b"), peerIds());
    }

    @Test
    void aPeerWhoseSequenceStopsChangingIsDroppedAfterTheNodeTimeoutAndReportedOnce() {
        NodeState b = node("b");
        membership.update(read(b, 7), T0);
        membership.update(read(b, 7), T0 + TIMEOUT - 1);
        assertEquals(List.of("b"), peerIds(), "not yet silent for the whole timeout");
        assertEquals(List.of(), left);

        membership.update(read(b, 7), T0 + TIMEOUT);
        assertEquals(List.of(), membership.peers());
        assertEquals(List.of(b.peer()), left);

        membership.update(read(b, 7), T0 + TIMEOUT + SECOND);
        membership.update(read(b, 7), T0 + 3 * TIMEOUT);
        assertEquals(List.of(), membership.peers(), "the same stale entry does not bring it back");
        assertEquals(List.of(b.peer()), left, "told of its leaving exactly once");
    }

    @Test
    void aPeerThatAnswersItsProbeStaysLiveWhileTheGridHangsAndLeavesWhenBothFallSilent() {
        NodeState b = node("b");
        membership.update(read(b, 1), T0);
        // No grid round completes any more; the peer still answers its health probe.
        membership.probeAnswered("b", T0 + TIMEOUT - SECOND);
        membership.expire(T0 + TIMEOUT);
        assertEquals(List.of("b"), peerIds(), "its probe answered a second ago");
        membership.expire(T0 + 2 * TIMEOUT - SECOND - 1);
        assertEquals(List.of("b"), peerIds());
        assertEquals(List.of(), left);
        membership.expire(T0 + 2 * TIMEOUT - SECOND);
        assertEquals(List.of(), membership.peers(), "neither heard nor answering for the whole timeout");
        assertEquals(List.of(b.peer()), left);
    }

    @Test
    void theTimeoutCountsFromTheLastChangeNotTheFirstSight() {
        NodeState b = node("b");
        membership.update(read(b, 1), T0);
        membership.update(read(b, 2), T0 + 4 * SECOND);
        membership.update(read(b, 2), T0 + TIMEOUT + SECOND);
        assertEquals(List.of("b"), peerIds());
        membership.update(read(b, 2), T0 + 4 * SECOND + TIMEOUT);
        assertEquals(List.of(), membership.peers());
    }

    @Test
    void aPeerWhoseEntryDisappearsFromANonEmptyReadIsDroppedAtOnce() {
        NodeState b = node("b");
        NodeState c = node("c");
        membership.update(read(b, 1, c, 1), T0);
        membership.update(read(c, 2), T0 + 1);
        assertEquals(List.of("c"), peerIds());
        assertEquals(List.of(b.peer()), left);
        membership.update(read(c, 3), T0 + TIMEOUT);
        assertEquals(List.of(b.peer()), left, "a withdrawn peer is not reported again at its timeout");
    }

    @Test
    void aWithdrawnEntryIsMissingEvenWhenOnlyThisNodesOwnEntryRemains() {
        NodeState b = node("b");
        membership.update(read(b, 1), T0);
        membership.update(read(node(membership.id()), 1), T0 + 1);
        assertEquals(List.of(), membership.peers());
        assertEquals(List.of(b.peer()), left);
    }

    @Test
    void aSilentPeerThatPublishesANewSequenceNumberComesBack() {
        NodeState b = node("b", "agent-1");
        membership.update(read(b, 1), T0);
        membership.update(read(b, 1), T0 + TIMEOUT);
        assertEquals(List.of(), membership.peers());

        NodeState again = node("b", "agent-2");
        membership.update(read(again, 2), T0 + TIMEOUT + SECOND);
        assertEquals(List.of(again), membership.peers());
        membership.update(read(again, 3), T0 + TIMEOUT + 2 * SECOND);
        assertEquals(List.of(b.peer()), left, "coming back is not another leave");

        membership.update(read(again, 3), T0 + 2 * TIMEOUT + 2 * SECOND);
        assertEquals(List.of(), membership.peers(), "and it can go silent again");
        assertEquals(List.of(b.peer(), b.peer()), left);
    }

    @Test
    void anUndecodableEntryIsIgnoredWithoutAffectingOthers() {
        NodeState b = node("b");
        Map<String, String> entries = read(b, 1);
        entries.put("x", "{\"id\":\"x\",\"seq\":\"not a number\"}");
        entries.put("y", "garbage");
        membership.update(entries, T0);
        assertEquals(List.of("b"), peerIds());

        Map<String, String> next = read(b, 2);
        next.put("x", "{\"id\":\"x\"}");
        membership.update(next, T0 + SECOND);
        assertEquals(List.of("b"), peerIds());
        assertEquals(List.of(), left);
    }

    @Test
    void aLivePeerWhoseEntryTurnsUndecodableIsNotWithdrawnButTimesOut() {
        NodeState b = node("b");
        NodeState c = node("c");
        membership.update(read(b, 1, c, 1), T0);
        Map<String, String> damaged = read(c, 2);
        damaged.put("b", "{");
        membership.update(damaged, T0 + SECOND);
        assertEquals(List.of("b", "c"), peerIds(), "its entry is still there: it did not withdraw");
        membership.update(damaged, T0 + TIMEOUT);
        assertEquals(List.of("c"), peerIds());
        assertEquals(List.of(b.peer()), left);
    }

    @Test
    void anEmptyReadDropsNoPeerBeforeTheNodeTimeout() {
        NodeState b = node("b");
        membership.update(read(b, 1), T0);
        membership.update(Map.of(), T0 + SECOND);
        membership.update(Map.of(), T0 + TIMEOUT - 1);
        assertEquals(List.of("b"), peerIds());
        assertEquals(List.of(), left);

        membership.update(Map.of(), T0 + TIMEOUT);
        assertEquals(List.of(), membership.peers());
        assertEquals(List.of(b.peer()), left);
    }

    @Test
    void aPeerHeardAgainAfterTheGridRecoversStaysLive() {
        NodeState b = node("b");
        membership.update(read(b, 1), T0);
        membership.update(Map.of(), T0 + 2 * SECOND);
        membership.update(read(b, 4), T0 + 3 * SECOND);
        membership.update(read(b, 4), T0 + TIMEOUT + SECOND);
        assertEquals(List.of("b"), peerIds());
        assertEquals(List.of(), left);
    }

    @Test
    void closeWithdrawsThisNodesEntryAndIsIdempotent() {
        grid.publish(membership.id(), NodeStateJson.encode(membership.self(), 1));
        grid.publish("b", NodeStateJson.encode(node("b"), 1));

        membership.close();
        membership.close();

        assertEquals(List.of(membership.id()), grid.withdrawn);
        assertFalse(grid.entries.containsKey(membership.id()));
        assertTrue(grid.entries.containsKey("b"), "only its own entry");
        assertEquals(1, grid.closed);
    }

    @Test
    void selfIsThisNodeWithItsUrlBeforeAnyPublication() {
        assertEquals(new NodeState(membership.id(), URI.create("http://self.example/"), List.of()), membership.self());
    }

    @Test
    void eachMembershipHasItsOwnId() {
        try (ClusterMembership other = new ClusterMembership(URI.create("http://other/"), new FakeGrid(), List::of)) {
            assertFalse(other.id().equals(membership.id()));
        }
    }
}
