/** The agent configuration: validated when built, from flags, environment and the Go wsp client YAML file. */
package io.wsp.agent.config;
