/** Destination rules (whitelist and blacklist, Go wsp format), applied by the server and by the agent. */
package io.wsp.rules;
