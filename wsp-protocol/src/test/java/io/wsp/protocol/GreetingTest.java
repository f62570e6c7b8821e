package io.wsp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GreetingTest {

    @Test
    void encodesAsIdUnderscoreSize() {
        assertEquals("agent-1_10", new Greeting("agent-1", 10).encode());
    }

    @Test
    void parsesGoAgentGreeting() throws Exception {
        Greeting g = Greeting.parse("0d2d1f4e-8a4c-4a39-9a57-7f0c1f1a1b2c_10");
        assertEquals("0d2d1f4e-8a4c-4a39-9a57-7f0c1f1a1b2c", g.agentId());
        assertEquals(10, g.poolIdleSize());
    }

    @Test
    void idMayContainUnderscoresBecauseTheLastOneSeparates() throws Exception {
        Greeting g = Greeting.parse("my_agent_3");
        assertEquals("my_agent", g.agentId());
        assertEquals(3, g.poolIdleSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "noseparator", "_5", "id_", "id_-1", "id_x", "id_99999", "id_123456789012",
            "sp ace_1", "tab\t_1", "new\nline_1"})
    void rejectsMalformedGreetings(String greeting) {
        assertThrows(ProtocolException.class, () -> Greeting.parse(greeting));
    }

    @Test
    void rejectsOverlongId() {
        assertThrows(ProtocolException.class, () -> Greeting.parse("a".repeat(WspProtocol.MAX_AGENT_ID_LENGTH + 1) + "_1"));
    }
}
