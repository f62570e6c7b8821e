/**
 * What the proxy counts and how it is written out: lock-free per-agent and global counters, a
 * fixed-bucket duration histogram, and the Prometheus text format. No I/O of its own.
 */
package io.wsp.server.metrics;
