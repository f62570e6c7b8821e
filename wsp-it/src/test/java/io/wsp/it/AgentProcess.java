package io.wsp.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The real agent jar in a JVM of its own, as operators run it (and with its own heap limit). */
final class AgentProcess implements AutoCloseable {

    private final Process process;
    final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static AgentProcess start(String heap, String secret, String... args) throws IOException {
        // The secret travels in the environment, as the README recommends, not on the command line.
        return start(heap, Map.of("WSP_SECRET_KEY", secret), args);
    }

    /** Starts the agent with {@code env} added to its environment (secrets, store passwords). */
    static AgentProcess start(String heap, Map<String, String> env, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("wsp.agentJar", "../wsp-agent/target/wsp-agent.jar");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-jar", jar));
        command.addAll(List.of(args));
        Path log = Path.of("target", "agent-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new AgentProcess(builder.start(), log);
    }

    /** Polls the agent's log until a line contains {@code text}: what it did, observed, not timed. */
    String awaitLogLine(String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Optional<String> line = Files.readAllLines(log).stream().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the agent never logged \"" + text + "\"; see " + log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name (STOP freezes the process as a hung host would, CONT thaws it). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** Kills the process at once (SIGKILL), as a crash or the OOM killer would: no drain, no goodbye. */
    void kill() throws InterruptedException {
        if (!process.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the agent did not die within 30 s of SIGKILL");
        }
    }

    /** Sends SIGTERM, as a service manager does, and returns the exit status once it has ended. */
    int terminate(long timeoutSeconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the agent did not exit within " + timeoutSeconds + " s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
