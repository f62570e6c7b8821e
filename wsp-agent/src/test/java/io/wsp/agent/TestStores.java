package io.wsp.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Key and trust store files for tests, made on the spot: the JDK's keytool generates each key pair
 * with a self-signed certificate (the JDK has no public API for certificates), JDK APIs do the rest.
 * A name ending in {@code .jks} makes a JKS file, anything else PKCS12. Shared with wsp-it.
 */
public final class TestStores {

    private TestStores() {
    }

    /**
     * A key store with one key pair whose certificate names {@code san} ({@code dns:localhost},
     * {@code ip:127.0.0.1}) and has the subject {@code CN=<cn>}.
     */
    public static Path keyStore(Path file, String password, String cn, String san)
            throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", cn, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + cn, "-ext", "san=" + san, "-validity", "2",
                "-storetype", type(file), "-keystore", file.toString(), "-storepass", password,
                "-keypass", password).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return file;
    }

    /** A trust store holding only the certificate of the key pair in {@code keyStore}. */
    public static Path trustStore(Path file, String password, Path keyStore, String keyStorePassword)
            throws IOException, GeneralSecurityException {
        KeyStore keys = load(keyStore, keyStorePassword);
        KeyStore trust = KeyStore.getInstance(type(file));
        trust.load(null, null);
        trust.setCertificateEntry("trusted", certificate(keys));
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, password.toCharArray());
        }
        return file;
    }

    public static KeyStore load(Path file, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type(file));
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    /**
     * A context that serves (or presents) the key in {@code keyStore}, if not null, and trusts what
     * {@code trustStore} holds (the JVM's default trust when null).
     */
    public static SSLContext context(Path keyStore, String keyPassword, Path trustStore, String trustPassword)
            throws IOException, GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        if (keyStore != null) {
            keys.init(load(keyStore, keyPassword), keyPassword.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore == null ? null : load(trustStore, trustPassword));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyStore == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static Certificate certificate(KeyStore keys) throws GeneralSecurityException {
        for (String alias : Collections.list(keys.aliases())) {
            if (keys.isKeyEntry(alias)) {
                return keys.getCertificate(alias);
            }
        }
        throw new GeneralSecurityException("no key pair in the key store");
    }

    private static String type(Path file) {
        return file.getFileName().toString().endsWith(".jks") ? "JKS" : "PKCS12";
    }
}
