/** The caller side: {@code /request}, destination checks, and the exchange that streams a request through an agent. */
package io.wsp.server.proxy;
