package io.wsp.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wsp.protocol.Labels;
import io.wsp.server.registry.NodeState;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeStateJsonTest {

    private static final NodeState STATE = new NodeState("n1", URI.create("http://node-1.example:8080/wsp/"), List.of(
            new NodeState.Agent("prod-1", Labels.parse("env=prod,region=eu"), 2, 3),
            new NodeState.Agent("plain", Labels.NONE, 0, 1)));

    @Test
    void aStateWithAgentsAndLabelsRoundTripsWithItsSequenceNumber() {
        NodeStateJson.Publication p = NodeStateJson.decode(NodeStateJson.encode(STATE, 42));
        assertEquals(STATE, p.state());
        assertEquals(42, p.seq());
    }

    @Test
    void aSequenceNumberBeyondIntRangeRoundTrips() {
        long seq = (1L << 40) + 7;
        assertEquals(seq, NodeStateJson.decode(NodeStateJson.encode(STATE, seq)).seq());
    }

    @Test
    void aStateWithoutAgentsRoundTrips() {
        NodeState empty = new NodeState("n2", URI.create("https://n2.example/"), List.of());
        assertEquals(new NodeStateJson.Publication(empty, 1), NodeStateJson.decode(NodeStateJson.encode(empty, 1)));
    }

    @Test
    void aHandWrittenPublicationInTheDocumentedShapeIsRead() {
        String json = """
                {"id":"n3","url":"http://n3/","seq":5,
                 "agents":[{"id":"a","labels":{"env":"test"},"idle":1,"busy":0}]}""";
        NodeStateJson.Publication p = NodeStateJson.decode(json);
        assertEquals(new NodeState("n3", URI.create("http://n3/"),
                List.of(new NodeState.Agent("a", Labels.parse("env=test"), 1, 0))), p.state());
        assertEquals(5, p.seq());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // not JSON
        "",
        "not json",
        "{\"id\":\"n1\",",
        // JSON, but not an object
        "[]",
        "null",
        "42",
        // missing fields
        "{}",
        "{\"url\":\"http://n/\",\"seq\":1,\"agents\":[]}",
        "{\"id\":\"n\",\"seq\":1,\"agents\":[]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"agents\":[]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"labels\":{},\"idle\":1,\"busy\":0}]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"idle\":1,\"busy\":0}]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"labels\":{},\"busy\":0}]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"labels\":{},\"idle\":1}]}",
        // wrong types
        "{\"id\":7,\"url\":\"http://n/\",\"seq\":1,\"agents\":[]}",
        "{\"id\":null,\"url\":\"http://n/\",\"seq\":1,\"agents\":[]}",
        "{\"id\":\"n\",\"url\":[],\"seq\":1,\"agents\":[]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":\"1\",\"agents\":[]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1.5,\"agents\":[]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":{}}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[\"a\"]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"labels\":[],\"idle\":1,\"busy\":0}]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"labels\":{},\"idle\":\"1\",\"busy\":0}]}",
        // a label value that is a number, or null
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"labels\":{\"v\":2},\"idle\":1,\"busy\":0}]}",
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"labels\":{\"v\":null},\"idle\":1,\"busy\":0}]}",
        // a label no agent could have announced
        "{\"id\":\"n\",\"url\":\"http://n/\",\"seq\":1,\"agents\":[{\"id\":\"a\",\"labels\":{\"v\":\"a b\"},\"idle\":1,\"busy\":0}]}",
        // a URL that is not one
        "{\"id\":\"n\",\"url\":\"http://n/ x\",\"seq\":1,\"agents\":[]}",
    })
    void damagedOrForeignJsonIsRefusedWithIllegalArgumentException(String json) {
        assertThrows(IllegalArgumentException.class, () -> NodeStateJson.decode(json));
    }
}
