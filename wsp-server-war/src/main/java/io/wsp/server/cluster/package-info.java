/**
 * Cluster mode ({@code wsp.cluster=true}): the nodes publish their agents in a data grid, and a
 * request that lands on a node without a suitable connection is forwarded to a node with one.
 */
package io.wsp.server.cluster;
