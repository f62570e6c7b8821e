package io.wsp.server.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Whether this server is one node of several, and how the nodes trust and reach each other.
 *
 * @param enabled whether cluster mode is on; off, nothing below is used and no data grid is touched
 * @param secret  what a node presents on the internal endpoint of another; null when off
 * @param url     this node's base URL as the other nodes reach it (ends with a slash); null when off
 * @param cacheManager the JNDI name of the container's JCache cache manager, the data grid
 */
public record ClusterSettings(boolean enabled, String secret, URI url, String cacheManager) {

    public static final ClusterSettings OFF = new ClusterSettings(false, null, null, null);
    /** Where Payara binds the cache manager of its built-in Hazelcast. */
    public static final String DEFAULT_CACHE_MANAGER = "payara/CacheManager";
    /** Enough that guessing it over the network is hopeless; a random 128-bit value in hex is 32. */
    public static final int MIN_SECRET_LENGTH = 16;

    public ClusterSettings {
        if (enabled) {
            if (secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("wsp.cluster=true requires wsp.clusterSecret (WSP_CLUSTER_SECRET), "
                        + "the same on every node");
            }
            if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("wsp.clusterSecret must be at least " + MIN_SECRET_LENGTH + " characters");
            }
            if (url == null) {
                throw new IllegalArgumentException("wsp.cluster=true requires wsp.clusterUrl (WSP_CLUSTER_URL): this "
                        + "node's base URL as the other nodes reach it, e.g. http://10.0.0.5:8080/");
            }
        }
    }

    /**
     * Checks a base URL: absolute http or https, no query or fragment; a missing trailing slash is
     * added so paths resolve under it.
     */
    public static URI baseUrl(String value) {
        URI uri;
        try {
            uri = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("wsp.clusterUrl is not a URL: " + value, e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("wsp.clusterUrl must be an http:// or https:// URL with a host and "
                    + "no query: " + value);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.resolve(path.endsWith("/") ? path : path + "/");
    }

    /** For the start-up log line: the secret is never printed. */
    @Override
    public String toString() {
        return enabled ? "cluster=true clusterUrl=" + url + " clusterCacheManager=" + cacheManager + " clusterSecret=****"
                : "cluster=false";
    }
}
