/**
 * The agent configuration: validated when built, from flags, environment and the Go wsp client YAML
 * file, including the TLS context read once from the configured trust and key stores.
 */
package io.wsp.agent.config;
