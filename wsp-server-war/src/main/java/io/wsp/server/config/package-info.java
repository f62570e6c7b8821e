/** Server settings: system properties, environment variables and the Go wsp YAML file. */
package io.wsp.server.config;
