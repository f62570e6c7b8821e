/** Performs requests against internal destinations with one shared HttpClient, streaming bodies in constant memory. */
package io.wsp.agent.forward;
