/** Performs requests against internal destinations with shared HTTP clients, streaming bodies in constant memory. */
package io.wsp.agent.forward;
