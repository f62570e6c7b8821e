package io.wsp.it;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Payara Micro with the real wsp.war in a JVM of its own, started by the test itself rather than
 * by Arquillian: for settings that must exist before it boots (an HTTPS listener with the test's
 * own keys), which the shared arquillian.xml cannot give one test class alone, and for tests that
 * stop the server and start it again. HTTP (and HTTPS) listen on ports that were free a moment
 * before; a port taken meanwhile makes Payara exit, and the start fails with its log.
 */
final class PayaraProcess implements AutoCloseable {

    /**
     * Four 10 s requests the listener took and nobody answered: in about one cluster boot of three
     * (polled over h2c then), a node's selector thread was deadlocked in Grizzly's HTTP/2 and it
     * answered nothing more. The thread dump is kept for whoever meets it next.
     */
    private static final int HUNG_AFTER_TIMEOUTS = 4;

    /** A boot that took requests and answered none: dumped and killed, to be started again. */
    private static final class HungBoot extends AssertionError {
        private static final long serialVersionUID = 1L;

        HungBoot(String message) {
            super(message);
        }
    }

    /** A single node needs no data grid, and Hazelcast would only slow its boot. */
    private static final List<String> NO_GRID = List.of("--nohazelcast");
    /** As arquillian.xml allows: a cold boot on a busy 2-core machine. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(180);

    private final Process process;
    /** How it was started, without its root directory: each start gets a fresh one. */
    private final List<String> command;
    private final Path workDir;
    private final Thread killOnExit;
    final Path log;
    final int httpPort;
    /** 0: no HTTPS listener. */
    final int httpsPort;

    private PayaraProcess(Process process, List<String> command, Path workDir, Path log, int httpPort, int httpsPort) {
        this.process = process;
        this.command = List.copyOf(command);
        this.workDir = workDir;
        this.log = log;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        // A test JVM that is stopped must not leave Payara running.
        this.killOnExit = new Thread(process::destroyForcibly, "payara-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Boots Payara with the shared pre-boot commands plus {@code extraPreBootCommands}, the given
     * system properties (in a {@code --systemproperties} file, as the README advises for
     * passwords) and an HTTPS listener using certificate {@code sslCert} from the key store they
     * name; returns once the application answers.
     */
    static PayaraProcess start(Path workDir, Map<String, String> systemProperties, List<String> extraPreBootCommands,
                               String sslCert) throws IOException, InterruptedException {
        int[] ports = freePorts();
        return launch(workDir, systemProperties, extraPreBootCommands, ports[0],
                List.of("--sslport", String.valueOf(ports[1]), "--sslcert", sslCert), ports[1], NO_GRID);
    }

    /** Boots Payara with HTTP only, on a port that was free a moment before; returns once the application answers. */
    static PayaraProcess startHttp(Path workDir, Map<String, String> systemProperties)
            throws IOException, InterruptedException {
        return launch(workDir, systemProperties, List.of(), freePorts()[0], List.of(), 0, NO_GRID);
    }

    /**
     * Boots one node of a cluster: HTTP on {@code httpPort}, the data grid (Hazelcast) on, with
     * {@code gridOptions} naming the cluster and its members. Returns once the application answers.
     */
    static PayaraProcess startClusterNode(Path workDir, Map<String, String> systemProperties, int httpPort,
                                          List<String> gridOptions) throws IOException, InterruptedException {
        return launch(workDir, systemProperties, List.of(), httpPort, List.of(), 0, gridOptions);
    }

    /** A port free on all interfaces at this moment. */
    static int freePort() throws IOException {
        return freePorts()[0];
    }

    /**
     * Boots Payara again with the same settings and ports, as an operator restarting the server
     * would; this one must have ended first. It unpacks into a fresh root directory, as Payara
     * Micro does by default: reusing one deploys wsp twice (the saved deployment, then
     * {@code --deploy}), with 404s between the two.
     */
    PayaraProcess restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("still running");
        }
        return start(command, workDir, log, httpPort, httpsPort);
    }

    private static PayaraProcess launch(Path workDir, Map<String, String> systemProperties,
                                        List<String> extraPreBootCommands, int httpPort, List<String> httpsOptions,
                                        int httpsPort, List<String> gridOptions) throws IOException, InterruptedException {
        Path properties = workDir.resolve("system.properties");
        Properties p = new Properties();
        p.putAll(systemProperties);
        try (Writer out = Files.newBufferedWriter(properties)) {
            p.store(out, null);
        }
        Path preBoot = workDir.resolve("pre-boot-commands.asadmin");
        List<String> commands = new ArrayList<>(Files.readAllLines(Path.of(
                System.getProperty("wsp.preBootCommands", "../payara-config/pre-boot-commands.asadmin"))));
        commands.addAll(extraPreBootCommands);
        Files.write(preBoot, commands);
        String java = ProcessHandle.current().info().command().orElse("java");
        // One boot thread, as everywhere Payara Micro is started here (README, "Build outputs").
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS",
                "-jar", System.getProperty("wsp.payaraMicroJar", "target/payara-micro.jar"),
                "--deploy", System.getProperty("wsp.war", "../wsp-server-war/target/wsp.war"), "--contextroot", "/",
                "--port", String.valueOf(httpPort)));
        command.addAll(gridOptions);
        command.addAll(httpsOptions);
        command.addAll(List.of("--systemproperties", properties.toString(),
                "--prebootcommandfile", preBoot.toString()));
        return start(command, workDir, workDir.resolve("payara.log"), httpPort, httpsPort);
    }

    /**
     * Boots Payara; a boot whose first requests hang (see {@link HungBoot}) is dumped, killed and
     * started once more on the same ports.
     */
    private static PayaraProcess start(List<String> command, Path workDir, Path log, int httpPort, int httpsPort)
            throws IOException, InterruptedException {
        try {
            return startOnce(command, workDir, log, httpPort, httpsPort);
        } catch (HungBoot hung) {
            System.out.println("PayaraProcess: " + hung.getMessage() + "; booting it once more");
            return startOnce(command, workDir, log, httpPort, httpsPort);
        }
    }

    private static PayaraProcess startOnce(List<String> command, Path workDir, Path log, int httpPort, int httpsPort)
            throws IOException, InterruptedException {
        List<String> withRoot = new ArrayList<>(command);
        // Unpacked under target/, not /tmp, so nothing outlives `mvn clean`.
        withRoot.addAll(List.of("--rootdir", workDir.resolve("payara-" + System.nanoTime()).toString()));
        Process process = new ProcessBuilder(withRoot).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        PayaraProcess payara = new PayaraProcess(process, command, workDir, log, httpPort, httpsPort);
        try {
            payara.awaitLive();
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            payara.close();
            throw e;
        }
        return payara;
    }

    /**
     * Sends SIGTERM, as a service manager stops the server, and returns at once; {@link #awaitExit}
     * waits for the end.
     */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to end (after {@link #terminate}) and returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Payara Micro did not exit within " + timeout.toSeconds() + " s; see " + log);
        }
        return process.exitValue();
    }

    URL httpUrl() throws IOException {
        return URI.create("http://localhost:" + httpPort + "/").toURL();
    }

    String wssRegisterUrl() {
        return "wss://localhost:" + httpsPort + "/register";
    }

    /** Polls /health/live over HTTP: up when wsp answers, not when a log line says so. */
    private void awaitLive() throws IOException, InterruptedException {
        // HTTP/1.1: the JDK client's default h2c upgrade deadlocked Grizzly's HTTP/2 (README, Errors).
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest live = HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/health/live"))
                .timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String last = "no answer";
        int timeouts = 0;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Payara Micro exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = client.send(live, HttpResponse.BodyHandlers.ofString());
                // wsp's own answer: a Payara booting on a reused root directory answers this path
                // with its MicroProfile health check before wsp is deployed.
                if (r.statusCode() == 200 && r.body().contains("\"agents\"")) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
                timeouts = 0;
            } catch (HttpTimeoutException accepted) {
                // The listener took the request and nothing answered it.
                last = accepted.toString();
                if (++timeouts == HUNG_AFTER_TIMEOUTS) {
                    Path dump = log.resolveSibling(log.getFileName() + ".hung-" + process.pid() + ".txt");
                    ThreadDumps.of(process.pid(), dump);
                    throw new HungBoot("Payara Micro took requests but answered none for " + HUNG_AFTER_TIMEOUTS
                            + " tries; threads in " + dump);
                }
            } catch (IOException notYetListening) {
                // Booting: the listener or the application is not there yet.
                last = notYetListening.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Payara Micro did not come up within " + STARTUP_TIMEOUT.toSeconds() + " s (last answer: "
                + last + "); see " + log);
    }

    /**
     * Two distinct ports free at this moment on all interfaces, as Payara binds them (both held
     * open while the second is chosen).
     */
    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    /** Sends a signal by name: STOP freezes the JVM as a hung host would (its sockets stay open), CONT thaws it. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " failed");
        }
    }

    /** SIGKILL, as a crashed host or an OOM kill ends it: no undeploy, no goodbye to the grid or the agents. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway; the process is already gone.
        }
    }
}
