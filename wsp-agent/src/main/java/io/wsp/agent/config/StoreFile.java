package io.wsp.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;

/**
 * A key store or trust store file with its password, read once at start. The password is never
 * part of a message or of {@link #toString()}.
 *
 * @param role     what the file is for, as the operator named it ({@code truststore}, {@code keystore})
 * @param path     the file
 * @param password its password; {@code null} when none was given
 */
record StoreFile(String role, Path path, char[] password) {

    /** The store type its name implies: {@code .jks} is JKS, anything else PKCS12 (the JDK's default). */
    static String type(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jks") ? "JKS" : "PKCS12";
    }

    /** Loads the store; throws {@link ConfigException} naming the file and the reason. */
    KeyStore load() {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(type(path));
            store.load(in, password);
            return store;
        } catch (NoSuchFileException e) {
            throw error("no such file", e);
        } catch (AccessDeniedException e) {
            throw error("permission denied", e);
        } catch (IOException | GeneralSecurityException e) {
            // The JDK's reasons ("keystore password was incorrect", "Invalid keystore format") fit.
            throw error(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
    }

    ConfigException error(String reason, Exception cause) {
        return new ConfigException("cannot use " + role + " " + path + ": " + reason, cause);
    }

    @Override
    public String toString() {
        return role + " " + path;
    }
}
