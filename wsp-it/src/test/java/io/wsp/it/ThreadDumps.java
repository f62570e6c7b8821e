package io.wsp.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Thread dumps of server JVMs, taken when a test sees a server stop answering, for the investigation. */
final class ThreadDumps {

    private ThreadDumps() {
    }

    /** Writes {@code jcmd <pid> Thread.print -l} to {@code file}. */
    static void of(long pid, Path file) throws IOException, InterruptedException {
        String jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(pid), "Thread.print", "-l")
                .redirectErrorStream(true).redirectOutput(file.toFile()).start().waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * Dumps every running Payara Micro and WildFly JVM (the test's container among them) into
     * {@code target/}, and says where; never fails, as it only adds to a failure being reported.
     */
    static String ofContainers(String why) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "thread-dumps"));
            List<ProcessHandle> servers = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("payara-micro") || c.contains("jboss-modules"))
                            .orElse(false))
                    .toList();
            StringBuilder where = new StringBuilder();
            for (ProcessHandle p : servers) {
                Path file = dir.resolve(why + "-" + p.pid() + "-" + System.currentTimeMillis() + ".txt");
                of(p.pid(), file);
                where.append(' ').append(file.toAbsolutePath());
            }
            return where.length() == 0 ? "no server JVM found to dump" : "server threads in" + where;
        } catch (IOException | RuntimeException e) {
            return "no thread dump: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump: interrupted";
        }
    }
}
