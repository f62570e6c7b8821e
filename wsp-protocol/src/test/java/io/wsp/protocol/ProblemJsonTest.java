package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProblemJsonTest {

    @Test
    void bodyFollowsRfc9457() {
        assertEquals("{\"type\":\"about:blank\",\"title\":\"No agent connected\",\"status\":503,\"detail\":\"none\"}",
                ProblemJson.of(503, "No agent connected", "none"));
    }

    @Test
    void agentTextIsEscapedIntoValidJson() {
        assertEquals("\"say \\\"hi\\\"\\n\\\\ \\u0001\"", ProblemJson.quote("say \"hi\"\n\\ \u0001"));
    }
}
