package io.wsp.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.wsp.protocol.Labels;
import io.wsp.server.agent.AgentConnection;
import io.wsp.server.registry.AgentSelector;
import io.wsp.server.registry.ClosingSockets;
import io.wsp.server.registry.ClusterStatus;
import io.wsp.server.registry.LocalAgentRegistry;
import io.wsp.server.registry.NodeState;
import io.wsp.server.registry.PeerNode;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a request goes in cluster mode. Agents are added to the local registry directly and peers
 * fed to the membership by hand, so no grid thread runs.
 */
class ClusteredAgentRegistryTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private static final long T0 = 1_000_000_000_000L;
    private static final Labels PROD = Labels.parse("env=prod,region=eu");
    private static final Labels TEST = Labels.parse("env=test,region=eu");

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ClosingSockets sockets = new ClosingSockets();
    private final LocalAgentRegistry local = new LocalAgentRegistry(LONG, Duration.ZERO, 100, timer);
    private final ClusterMembership membership = new ClusterMembership(URI.create("http://self.example/"),
            new ClusterMembershipTest.FakeGrid(), local::status);
    private final ClusteredAgentRegistry registry = new ClusteredAgentRegistry(local, membership);
    private long seq;

    @AfterEach
    void stop() {
        membership.close();
        timer.shutdownNow();
    }

    private AgentConnection connection(String agent, Labels labels) {
        return sockets.connection(agent, 1, labels);
    }

    /** A local agent with one idle connection. */
    private void localIdle(String agent, Labels labels) {
        local.add(connection(agent, labels));
    }

    /** A local agent whose only connection is taken. */
    private void localBusy(String agent, Labels labels) {
        AgentConnection c = connection(agent, labels);
        local.add(c);
        assertSame(c, local.acquire(LONG, AgentSelector.id(agent)).join());
    }

    private static NodeState.Agent idle(String id, Labels labels) {
        return new NodeState.Agent(id, labels, 1, 0);
    }

    private static NodeState.Agent busy(String id, Labels labels) {
        return new NodeState.Agent(id, labels, 0, 2);
    }

    private static NodeState peer(String id, NodeState.Agent... agents) {
        return new NodeState(id, URI.create("http://" + id + ".example/"), List.of(agents));
    }

    /** The grid holds exactly these peers' publications, read now. */
    private void peers(NodeState... states) {
        seq++;
        Map<String, String> entries = new LinkedHashMap<>();
        for (NodeState s : states) {
            entries.put(s.id(), NodeStateJson.encode(s, seq));
        }
        membership.update(entries, T0 + seq);
    }

    private static AgentSelector labels(String text) {
        return new AgentSelector(null, Labels.parse(text));
    }

    @Test
    void aLocalIdleAgentIsPreferredOverAnIdlePeer() {
        localIdle("a", Labels.NONE);
        peers(peer("b", idle("a", Labels.NONE)));
        assertEquals(Optional.empty(), registry.peerFor(AgentSelector.ANY));
        assertEquals(Optional.empty(), registry.peerFor(AgentSelector.id("a")));
    }

    @Test
    void withNoLocalAgentAPeerWithAMatchingIdleAgentIsChosen() {
        NodeState b = peer("b", idle("a", Labels.NONE));
        peers(b);
        assertEquals(Optional.of(b.peer()), registry.peerFor(AgentSelector.id("a")));
        assertEquals(Optional.of(b.peer()), registry.peerFor(AgentSelector.ANY));
    }

    @Test
    void withNoLocalAgentAPeerWhoseMatchingAgentIsBusyIsStillChosen() {
        NodeState b = peer("b", busy("a", Labels.NONE));
        peers(b);
        assertEquals(Optional.of(b.peer()), registry.peerFor(AgentSelector.id("a")), "it can wait there; here it would fail");
    }

    @Test
    void withNoLocalAgentAPeerWithAnIdleMatchIsPreferredOverOneWithOnlyBusyMatches() {
        NodeState b = peer("b", busy("a", Labels.NONE));
        NodeState c = peer("c", idle("a", Labels.NONE));
        peers(b, c);
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.of(c.peer()), registry.peerFor(AgentSelector.id("a")));
        }
    }

    @Test
    void whenEveryLocalMatchIsBusyAPeerWithAnIdleMatchTakesTheRequest() {
        localBusy("a", Labels.NONE);
        NodeState b = peer("b", idle("a", Labels.NONE));
        peers(b);
        assertEquals(Optional.of(b.peer()), registry.peerFor(AgentSelector.id("a")));
    }

    @Test
    void whenLocalAndPeerMatchesAreAllBusyTheRequestWaitsHere() {
        localBusy("a", Labels.NONE);
        peers(peer("b", busy("a", Labels.NONE)), peer("c", busy("a", Labels.NONE)));
        assertEquals(Optional.empty(), registry.peerFor(AgentSelector.id("a")));
    }

    @Test
    void whenNoNodeHasAMatchingAgentTheRequestStaysHere() {
        assertEquals(Optional.empty(), registry.peerFor(AgentSelector.ANY));
        localIdle("other", Labels.NONE);
        peers(peer("b", idle("another", Labels.NONE)));
        assertEquals(Optional.empty(), registry.peerFor(AgentSelector.id("a")));
        assertEquals(Optional.empty(), registry.peerFor(labels("env=prod")));
    }

    @Test
    void anIdlePeerAgentWithAnotherIdDoesNotCountForASelectorById() {
        localBusy("a", Labels.NONE);
        NodeState c = peer("c", idle("a", Labels.NONE));
        peers(peer("b", idle("b", Labels.NONE)), c);
        assertEquals(Optional.of(c.peer()), registry.peerFor(AgentSelector.id("a")));
        assertEquals(Optional.of(c.peer()), registry.peerFor(AgentSelector.id("a")), "b never qualifies");
    }

    @Test
    void aLabelSelectorGoesOnlyToAPeerWhoseAgentHasThoseLabels() {
        NodeState withTest = peer("t", idle("test-1", TEST));
        NodeState withProd = peer("p", idle("prod-1", PROD));
        peers(withTest, withProd);
        assertEquals(Optional.of(withProd.peer()), registry.peerFor(labels("env=prod")));
        assertEquals(Optional.of(withProd.peer()), registry.peerFor(labels("env=prod,region=eu")));
        assertEquals(Optional.of(withTest.peer()), registry.peerFor(labels("env=test")));
        assertEquals(Optional.empty(), registry.peerFor(labels("env=staging")));
        assertEquals(Optional.empty(), registry.peerFor(new AgentSelector("test-1", Labels.parse("env=prod"))),
                "id and labels must both match");
    }

    @Test
    void aLocalAgentWithOtherLabelsDoesNotKeepALabelledRequestHere() {
        localIdle("test-1", TEST);
        NodeState withProd = peer("p", idle("prod-1", PROD));
        peers(withProd);
        assertEquals(Optional.of(withProd.peer()), registry.peerFor(labels("env=prod")));
        assertEquals(Optional.empty(), registry.peerFor(labels("region=eu")), "the local test agent matches");
    }

    @Test
    void twoQualifyingPeersAreUsedInTurn() {
        NodeState b = peer("b", idle("a", Labels.NONE));
        NodeState c = peer("c", idle("a", Labels.NONE));
        peers(b, c);
        List<PeerNode> chosen = List.of(
                registry.peerFor(AgentSelector.ANY).orElseThrow(),
                registry.peerFor(AgentSelector.ANY).orElseThrow(),
                registry.peerFor(AgentSelector.ANY).orElseThrow(),
                registry.peerFor(AgentSelector.ANY).orElseThrow());
        assertEquals(Set.of(b.peer(), c.peer()), Set.copyOf(chosen.subList(0, 2)));
        assertEquals(chosen.subList(0, 2), chosen.subList(2, 4), "in turn, not at random");
    }

    @Test
    void aPeerThatLeftIsNoLongerChosen() {
        NodeState b = peer("b", idle("a", Labels.NONE));
        NodeState c = peer("c", idle("a", Labels.NONE));
        peers(b, c);
        peers(c);
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.of(c.peer()), registry.peerFor(AgentSelector.ANY));
        }
    }

    @Test
    void clusterGivesThisNodeAndItsPeers() {
        NodeState b = peer("b", idle("a", Labels.NONE));
        NodeState c = peer("c", busy("x", PROD));
        peers(b, c);
        ClusterStatus status = registry.cluster().orElseThrow();
        assertEquals(membership.id(), status.self().id());
        assertEquals(registry.nodeId(), status.self().id());
        assertEquals(URI.create("http://self.example/"), status.self().url());
        assertEquals(List.of(b, c), status.peers());
    }

    @Test
    void leaveWithdrawsThisNodeFromTheGrid() {
        ClusterMembershipTest.FakeGrid grid = new ClusterMembershipTest.FakeGrid();
        ClusterMembership own = new ClusterMembership(URI.create("http://me/"), grid, local::status);
        grid.publish(own.id(), NodeStateJson.encode(own.self(), 1));
        ClusteredAgentRegistry leaving = new ClusteredAgentRegistry(local, own);
        leaving.leave();
        leaving.close();
        assertEquals(List.of(own.id()), grid.withdrawn);
        assertEquals(Map.of(), grid.read());
    }
}
