package io.wsp.it;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The archives the integration tests deploy: the real wsp.war, as built or with its own settings. */
final class Deployments {

    private Deployments() {
    }

    static WebArchive wsp() {
        String path = System.getProperty("wsp.war", "../wsp-server-war/target/wsp.war");
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(path));
    }

    /** wsp.war with {@code yaml} as its packaged settings, WEB-INF/classes/wsp.yaml (read when no {@code wsp.config} is set). */
    static WebArchive wspWithConfig(String yaml) {
        return wsp().addAsResource(new StringAsset(yaml), "wsp.yaml");
    }
}
