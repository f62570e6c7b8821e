package io.wsp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bodies far larger than either heap: Payara runs with -Xmx256m (arquillian.xml) and the agent jar
 * in its own JVM with -Xmx64m, so a tunnel that held a 1 GiB body anywhere would fail here.
 */
@ExtendWith(ArquillianExtension.class)
class StreamingIT {

    private static final long ONE_GIB = 1L << 30;

    @ArquillianResource
    private URL deployment;

    private WspServer wsp;
    private InternalApi api;
    private AgentProcess agent;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.wsp();
    }

    @BeforeEach
    void start() throws Exception {
        wsp = new WspServer(deployment);
        api = new InternalApi();
        agent = AgentProcess.start("64m", WspServer.SECRET, "--server", wsp.registerUrl(), "--id", "streamer",
                "--pool-idle", "2", "--pool-max", "4");
        wsp.awaitIdle("streamer", 2);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        api.close();
        wsp.awaitNoAgents();
    }

    @Test
    void oneGibibyteDownloadStreamsThroughSmallHeaps() throws Exception {
        HttpClient caller = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> r = caller.send(wsp.request(api.url("/download?size=" + ONE_GIB)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(ONE_GIB), r.headers().firstValue("Content-Length").orElseThrow());
        try (InputStream body = r.body()) {
            assertEquals(TestData.sha256Hex(ONE_GIB), TestData.sha256Hex(body));
        }
        assertTrue(agent.isAlive(), "agent died: " + Files.readString(agent.log));
    }

    @Test
    void oneGibibyteUploadOfUnknownLengthStreamsThroughSmallHeaps() throws Exception {
        HttpClient caller = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = caller.send(wsp.request(api.url("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(ONE_GIB))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(ONE_GIB + " " + TestData.sha256Hex(ONE_GIB), r.body());
        assertTrue(agent.isAlive(), "agent died: " + Files.readString(agent.log));
    }
}
