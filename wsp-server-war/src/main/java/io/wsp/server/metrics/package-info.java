/**
 * What the proxy counts: lock-free per-agent and global counters and a fixed-bucket duration
 * histogram, which {@code /status} and {@code /metrics} read. No I/O of its own.
 */
package io.wsp.server.metrics;
