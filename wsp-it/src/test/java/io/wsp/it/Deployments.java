package io.wsp.it;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The archive the integration tests deploy: the real wsp.war, exactly as built. */
final class Deployments {

    private Deployments() {
    }

    static WebArchive wsp() {
        String path = System.getProperty("wsp.war", "target/wsp.war");
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(path));
    }
}
