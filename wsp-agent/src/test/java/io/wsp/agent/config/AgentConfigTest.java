package io.wsp.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    @Test
    void unsetValuesTakeTheGoDefaultsAndARandomId() {
        AgentConfig config = AgentConfig.builder().server("ws://127.0.0.1:8080/register").build();

        assertEquals(List.of(URI.create("ws://127.0.0.1:8080/register")), config.servers());
        assertEquals(10, config.poolIdleSize());
        assertEquals(100, config.poolMaxSize());
        assertEquals("", config.secretKey());
        assertEquals(config.id(), UUID.fromString(config.id()).toString());
        assertTrue(config.rules().isEmpty());
        assertFalse(config.allowAll(), "deny by default");
    }

    @Test
    void allowRulesAddToTheConfiguredOnes() {
        AgentConfig config = AgentConfig.builder().server("ws://h/r").allowCidr("127.0.0.1")
                .rules(io.wsp.rules.RuleSet.fromConfig(java.util.List.of(java.util.Map.of("host", "api")), null))
                .allowUrl("^http://x/").build();

        assertEquals(3, config.rules().whitelistSize());
    }

    @Test
    void allowAllWithAnAllowRuleIsRefused() {
        AgentConfig.Builder b = AgentConfig.builder().server("ws://h/r").allowAll(true).allowUrl("^http://x/");

        ConfigException e = assertThrows(ConfigException.class, b::build);
        assertTrue(e.getMessage().startsWith("allow-all cannot be combined"), e.getMessage());
    }

    @Test
    void nullLeavesTheEarlierValue() {
        AgentConfig config = AgentConfig.builder().server("wss://h/r").id("a").id(null)
                .poolIdleSize(3).poolIdleSize(null).servers(null).secretKey("k").secretKey(null).build();

        assertEquals("a", config.id());
        assertEquals(3, config.poolIdleSize());
        assertEquals("k", config.secretKey());
        assertEquals(List.of(URI.create("wss://h/r")), config.servers());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        AgentConfig config = AgentConfig.builder().server("ws://h/r").secretKey("s3cr3t").build();

        assertFalse(config.toString().contains("s3cr3t"));
    }

    @Test
    void aServerIsRequired() {
        assertThrows(ConfigException.class, () -> AgentConfig.builder().build());
    }

    @Test
    void serverUrlsMustBeWebSocketUrls() {
        assertThrows(ConfigException.class, () -> AgentConfig.builder().server("http://h/register"));
        assertThrows(ConfigException.class, () -> AgentConfig.builder().server("ws:///register"));
        assertThrows(ConfigException.class, () -> AgentConfig.builder().server("ws://bad host/"));
    }

    @Test
    void poolIdleMustBeWithinZeroAndPoolMax() {
        AgentConfig.Builder b = AgentConfig.builder().server("ws://h/r");

        assertThrows(ConfigException.class, () -> b.poolIdleSize(-1).poolMaxSize(5).build());
        assertThrows(ConfigException.class, () -> b.poolIdleSize(6).poolMaxSize(5).build());
        assertThrows(ConfigException.class, () -> b.poolIdleSize(0).poolMaxSize(0).build());
        assertEquals(0, b.poolIdleSize(0).poolMaxSize(1).build().poolIdleSize());
    }

    @Test
    void idMustFitInTheGreeting() {
        assertThrows(ConfigException.class, () -> AgentConfig.builder().server("ws://h/r").id("has space").build());
        assertThrows(ConfigException.class, () -> AgentConfig.builder().server("ws://h/r").id("").build());
    }
}
