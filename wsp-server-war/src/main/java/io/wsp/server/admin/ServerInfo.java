package io.wsp.server.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/** Which wsp this is and since when it runs, for {@code /status} and {@code /metrics}. */
@ApplicationScoped
public class ServerInfo {

    private static final System.Logger LOG = System.getLogger(ServerInfo.class.getName());
    /** Written by Maven resource filtering, so the version comes from the POM and nowhere else. */
    private static final String VERSION_RESOURCE = "/io/wsp/server/version.properties";

    private final String version = readVersion();
    private final Instant startedAt = Instant.now();

    /** Created while deploying, so uptime counts from the start and not from the first look at it. */
    void atStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        LOG.log(System.Logger.Level.INFO, "wsp server {0} started", version);
    }

    public String version() {
        return version;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Duration uptime() {
        return Duration.between(startedAt, Instant.now());
    }

    private static String readVersion() {
        try (InputStream in = ServerInfo.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + VERSION_RESOURCE, e);
        }
    }
}
