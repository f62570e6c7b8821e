/** Server settings: system properties, environment variables and the YAML file (the Go wsp format plus wsp keys). */
package io.wsp.server.config;
