package io.wsp.server.cluster;

import io.wsp.protocol.Labels;
import io.wsp.server.registry.NodeState;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's publication as JSON: its state plus a sequence number that grows with every
 * publication, so a reader sees a live node change even when its agents did not.
 */
final class NodeStateJson {

    /** A node's state and the sequence number it was published with. */
    record Publication(NodeState state, long seq) {
    }

    private NodeStateJson() {
    }

    static String encode(NodeState state, long seq) {
        JsonArrayBuilder agents = Json.createArrayBuilder();
        for (NodeState.Agent a : state.agents()) {
            JsonObjectBuilder labels = Json.createObjectBuilder();
            a.labels().asMap().forEach(labels::add);
            agents.add(Json.createObjectBuilder().add("id", a.id()).add("labels", labels).add("idle", a.idle())
                    .add("busy", a.busy()));
        }
        return Json.createObjectBuilder().add("id", state.id()).add("url", state.url().toString()).add("seq", seq)
                .add("agents", agents).build().toString();
    }

    /** Throws IllegalArgumentException when {@code json} is not a publication (another version's, or damaged). */
    static Publication decode(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            JsonObject o = reader.readObject();
            List<NodeState.Agent> agents = new ArrayList<>();
            for (JsonValue v : o.getJsonArray("agents")) {
                JsonObject a = v.asJsonObject();
                Map<String, String> labels = new LinkedHashMap<>();
                a.getJsonObject("labels").forEach((k, l) -> labels.put(k, ((JsonString) l).getString()));
                agents.add(new NodeState.Agent(a.getString("id"), Labels.of(labels), a.getInt("idle"), a.getInt("busy")));
            }
            NodeState state = new NodeState(o.getString("id"), URI.create(o.getString("url")), agents);
            return new Publication(state, o.getJsonNumber("seq").longValueExact());
        } catch (JsonException | ClassCastException | NullPointerException | ArithmeticException e) {
            throw new IllegalArgumentException("not a wsp node publication: " + e.getMessage(), e);
        }
    }
}
