package io.wsp.agent.config;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** Builds the one {@link SSLContext} the agent dials {@code wss://} servers with. */
final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * The context for the given stores, either of which may be {@code null}: without a trust store
     * the JVM's default trust applies ({@code javax.net.ssl.trustStore}, else the JDK's cacerts);
     * without a key store no client certificate is presented. Without both it is the JVM's default
     * context. Throws {@link ConfigException} for a store that cannot serve its purpose.
     */
    static SSLContext create(StoreFile trustStore, StoreFile keyStore) {
        try {
            if (trustStore == null && keyStore == null) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyStore == null ? null : keyManagers(keyStore),
                    trustStore == null ? null : trustManagers(trustStore), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(StoreFile file) throws GeneralSecurityException {
        KeyStore store = file.load();
        // A PKCS12 file read with a wrong or missing password can come out empty rather than fail.
        if (!hasEntry(store, false)) {
            throw file.error("it holds no certificate (or the password is wrong)", null);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyManager[] keyManagers(StoreFile file) throws GeneralSecurityException {
        if (file.password() == null) {
            throw file.error("a password is needed for its private key", null);
        }
        KeyStore store = file.load();
        if (!hasEntry(store, true)) {
            throw file.error("it holds no private key", null);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
            // The key's own password must be the store's: PKCS12 allows nothing else.
            factory.init(store, file.password());
        } catch (GeneralSecurityException e) {
            throw file.error("cannot read its private key: " + e.getMessage(), e);
        }
        return factory.getKeyManagers();
    }

    private static boolean hasEntry(KeyStore store, boolean privateKey) throws KeyStoreException {
        for (String alias : Collections.list(store.aliases())) {
            if (privateKey ? store.isKeyEntry(alias) : store.getCertificate(alias) != null) {
                return true;
            }
        }
        return false;
    }
}
