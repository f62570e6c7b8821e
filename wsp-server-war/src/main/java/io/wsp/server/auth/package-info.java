/**
 * Who may register an agent (shared secret, per-agent keys) and who may call {@code /request}
 * (caller API keys, each optionally limited to agents and destinations). Keys are held as SHA-256
 * digests and compared in constant time; they never reach a log.
 */
package io.wsp.server.auth;
