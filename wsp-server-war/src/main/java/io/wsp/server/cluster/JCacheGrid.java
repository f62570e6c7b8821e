package io.wsp.server.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The grid as a JCache (JSR-107) cache: on Payara it lives in the container's Hazelcast, shared by
 * every member of the data grid. The only class that touches {@code javax.cache}, loaded only in
 * cluster mode, so a single node deploys to containers without JCache.
 */
final class JCacheGrid implements Grid {

    static final String CACHE_NAME = "wsp-cluster-nodes";

    private final Cache<String, String> cache;

    private JCacheGrid(Cache<String, String> cache) {
        this.cache = cache;
    }

    /**
     * Finds the container's cache manager under JNDI name {@code jndiName}: JCache defines no way
     * to ask for the container's own, and {@code Caching.getCachingProvider()} sees several on
     * Payara (its member provider would start a second, lonely Hazelcast; its client provider
     * dials port 5701 for ever).
     */
    static JCacheGrid open(String jndiName) {
        Object found;
        try {
            found = new InitialContext().lookup(jndiName);
        } catch (NamingException e) {
            throw new IllegalStateException("wsp.cluster=true needs the container's JCache (JSR-107) cache manager, "
                    + "and JNDI has none under " + jndiName + " (wsp.clusterCacheManager): " + e.getMessage(), e);
        }
        if (!(found instanceof CacheManager manager)) {
            throw new IllegalStateException("wsp.clusterCacheManager: " + jndiName + " is not a javax.cache.CacheManager but "
                    + (found == null ? "null" : found.getClass().getName()));
        }
        return new JCacheGrid(cache(manager));
    }

    /** Every node creates the cache when it finds none; the loser of a race takes the winner's. */
    private static Cache<String, String> cache(CacheManager manager) {
        Cache<String, String> cache = manager.getCache(CACHE_NAME, String.class, String.class);
        if (cache != null) {
            return cache;
        }
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setStoreByValue(true)
                .setExpiryPolicyFactory(ModifiedExpiryPolicy.factoryOf(
                        new Duration(TimeUnit.MILLISECONDS, ClusterMembership.NODE_TIMEOUT.toMillis())));
        try {
            return manager.createCache(CACHE_NAME, config);
        } catch (CacheException exists) {
            return manager.getCache(CACHE_NAME, String.class, String.class);
        }
    }

    @Override
    public void publish(String nodeId, String json) {
        cache.put(nodeId, json);
    }

    @Override
    public void withdraw(String nodeId) {
        cache.remove(nodeId);
    }

    @Override
    public Map<String, String> read() {
        Map<String, String> entries = new HashMap<>();
        for (Cache.Entry<String, String> e : cache) {
            entries.put(e.getKey(), e.getValue());
        }
        return entries;
    }

    /** The cache and its manager belong to the container and the other nodes: left open. */
    @Override
    public void close() {
        // Nothing of ours to release.
    }
}
