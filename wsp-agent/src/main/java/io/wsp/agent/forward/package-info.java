/**
 * Checks each destination against the agent's rules (deny by default), then performs the request
 * with one shared HTTP/1.1 client at the checked address, streaming bodies in constant memory.
 */
package io.wsp.agent.forward;
