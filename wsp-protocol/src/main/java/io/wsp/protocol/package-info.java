/**
 * The wsp wire protocol (compatible with root-gg/wsp): message shapes, header names, limits and
 * validation. No I/O and no threads here; both the server and the agent build on it.
 */
package io.wsp.protocol;
