/**
 * Checks each destination against the agent's rules (deny by default), then performs the request
 * with one shared Jetty {@code HttpClient} at the checked address, streaming bodies in constant memory.
 */
package io.wsp.agent.forward;
