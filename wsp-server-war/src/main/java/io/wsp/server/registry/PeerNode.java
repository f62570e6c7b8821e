package io.wsp.server.registry;

import java.net.URI;

/**
 * Another wsp node of the cluster, as a request is forwarded to it.
 *
 * @param id  the node's id, as it publishes itself in the data grid
 * @param url the node's base URL; its internal endpoint is below it
 */
public record PeerNode(String id, URI url) {
}
