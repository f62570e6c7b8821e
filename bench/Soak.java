import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The soak load of {@code bench/soak.sh}: a fixed number of workers send a mixed load through
 * the wsp server to {@code bench/BenchApi.java} while this program kills the agent with SIGKILL
 * every minute and starts it again at once. It checks every answer (a body that is not the one
 * this request asked for is <em>corrupt</em>), classifies every failure by kind and by whether it
 * overlapped a down window, samples heap and RSS of server and agent, and writes one markdown
 * report. Run by soak.sh, which starts the API and the server; see bench/README.md.
 *
 * <p>Arguments: {@code --server URL --api URL --server-pid PID --agent-jar JAR --agent-id ID
 * --duration SECONDS --warmup SECONDS --logs DIR --report FILE --agent-pid-file FILE}.
 * Environment: {@code WSP_SECRET_KEY} (passed on to the agent), {@code SOAK_CALLER_KEY} (sent as
 * {@code X-API-Key}, never passed to the agent).
 *
 * <p>Exit status: 0 when the run completed with no corrupt response and no failure outside a
 * down window, 3 when it completed with either, 1 when it could not run.
 */
public class Soak {

    /** Enough concurrency to keep both cores of the development machine busy through the tunnel. */
    private static final int WORKERS = 16;
    private static final Duration KILL_EVERY = Duration.ofSeconds(60);
    /**
     * A request counts as hit by an agent restart when it was in flight at some moment between the
     * kill and this long after the agent registered again: requests in flight at the kill fail a
     * little later, and the new agent's pool is still filling for a moment after its first
     * connection.
     */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int POST_BYTES = 1024 * 1024;
    private static final int SLOW_MIN_MS = 300;
    private static final int SLOW_MAX_MS = 1000;
    /** Far above any healthy answer (1 s slow + a 1 MiB upload); a hang shows as a timeout. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * A worker waits this long after a failure, as a real client would: while the agent is down,
     * 16 workers answered 503 at once would otherwise spin and starve the restarting agent's JVM.
     */
    private static final long PAUSE_AFTER_FAILURE_MS = 100;
    private static final long STATUS_POLL_MS = 100;
    /** An agent not registered this long after its restart is reported as such. */
    private static final Duration REGISTER_LIMIT = Duration.ofSeconds(60);
    /** Memory is sampled this long before each kill, so the sample ends before the kill. */
    private static final Duration SAMPLE_LEAD = Duration.ofSeconds(10);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    enum Type {
        GET("small GET (/tag)"), POST("1 MiB POST (/sha256)"), SLOW("slow GET (/slow, 300-1000 ms)");

        final String label;

        Type(String label) {
            this.label = label;
        }
    }

    /** One failed request; nanos are System.nanoTime(). */
    record Failure(Type type, String kind, long start, long end, boolean warmup) {}

    /** One agent restart: kill, when the server's pool vanished (or -1), when it was back (or -1). */
    record Window(long kill, long poolGone, long registered) {
        long closesAt(long grace) {
            return (registered < 0 ? kill + REGISTER_LIMIT.toNanos() : registered) + grace;
        }
    }

    record Mem(long liveHeapKb, long rssKb, int threads, int fds) {}

    record Sample(String when, long atNanos, Mem server, Mem agent) {}

    /** One worker's results; only that worker writes it until it has been joined. */
    static final class Tally {
        final Map<Type, long[]> latencies = new EnumMap<>(Type.class);
        final Map<Type, Integer> counts = new EnumMap<>(Type.class);

        void ok(Type type, long micros) {
            int n = counts.getOrDefault(type, 0);
            long[] a = latencies.computeIfAbsent(type, t -> new long[1024]);
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
                latencies.put(type, a);
            }
            a[n] = micros;
            counts.put(type, n + 1);
        }
    }

    private final Map<String, String> args;
    private final URI server;
    private final String api;
    private final long serverPid;
    private final String agentId;
    private final Path logs;
    private final String callerKey;
    private final HttpClient client;
    private final HttpClient statusClient;
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final List<Window> windows = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final List<String> agentCommand;
    private final Path errorLog;
    /** Written by the main thread, read by workers: phase switches only. */
    private volatile boolean measuring;
    private volatile boolean stopping;
    /** The agent process this program started last; main thread and shutdown hook only. */
    private volatile Process agent;
    private int agentStarts;

    Soak(Map<String, String> args) throws IOException {
        this.args = args;
        this.server = URI.create(need(args, "server"));
        this.api = need(args, "api");
        this.serverPid = Long.parseLong(need(args, "server-pid"));
        this.agentId = need(args, "agent-id");
        this.logs = Path.of(need(args, "logs"));
        this.callerKey = System.getenv().getOrDefault("SOAK_CALLER_KEY", "");
        this.errorLog = logs.resolve("failures.log");
        Files.writeString(errorLog, "");
        // HTTP/1.1 only: one request per connection at a time, so a failure belongs to one request.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.statusClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        String apiHost = URI.create(api).getHost();
        this.agentCommand = List.of("java", "-Xmx64m", "-jar", need(args, "agent-jar"),
                "--server", "ws://" + server.getHost() + ":" + server.getPort() + "/register",
                "--id", agentId, "--allow-cidr", apiHost, "--pool-idle", "20");
    }

    public static void main(String[] argv) throws Exception {
        // Payara closes idle keep-alive connections after 5 s (payara-config/): the client must
        // drop them first, or a request sent on a connection the server is closing fails and is
        // counted against wsp. Read when the client's connection pool class loads, so set it now.
        System.setProperty("jdk.httpclient.keepalive.timeout", "3");
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        Soak soak = new Soak(args);
        Runtime.getRuntime().addShutdownHook(new Thread(soak::killAgent, "stop-agent"));
        System.exit(soak.run());
    }

    int run() throws Exception {
        long duration = TimeUnit.SECONDS.toNanos(Long.parseLong(need(args, "duration")));
        long warmup = TimeUnit.SECONDS.toNanos(Long.parseLong(need(args, "warmup")));

        startAgent();
        String since = awaitRegistered(null, System.nanoTime(), new long[1]);
        if (since == null) {
            System.err.println("soak: the agent did not register within " + REGISTER_LIMIT.toSeconds() + " s; see "
                    + logs.resolve("agent.log"));
            return 1;
        }
        List<Thread> workers = new ArrayList<>();
        List<Tally> tallies = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Tally tally = new Tally();
            tallies.add(tally);
            int n = i;
            Thread t = new Thread(() -> work(n, tally), "worker-" + i);
            t.start();
            workers.add(t);
        }
        log("warming up for " + TimeUnit.NANOSECONDS.toSeconds(warmup) + " s");
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(warmup));
        long[] cpu0 = cpuTicks();
        long server0 = processTicks(serverPid);
        long t0 = System.nanoTime();
        measuring = true;
        log("measuring for " + TimeUnit.NANOSECONDS.toSeconds(duration) + " s, agent killed every "
                + KILL_EVERY.toSeconds() + " s");
        samples.add(sample("start", t0));
        long nextProgress = t0 + PROGRESS_EVERY.toNanos();
        for (long k = 1; t0 + k * KILL_EVERY.toNanos() < t0 + duration; k++) {
            long killAt = t0 + k * KILL_EVERY.toNanos();
            nextProgress = sleepUntil(killAt - SAMPLE_LEAD.toNanos(), nextProgress, t0, tallies);
            samples.add(sample("before kill " + k, t0));
            nextProgress = sleepUntil(killAt, nextProgress, t0, tallies);
            since = restartAgent(since);
        }
        sleepUntil(t0 + duration, nextProgress, t0, tallies);
        long[] cpu1 = cpuTicks();
        long server1 = processTicks(serverPid);
        long end = System.nanoTime();
        samples.add(sample("end", t0));
        measuring = false;
        stopping = true;
        for (Thread t : workers) {
            t.join();
        }
        String serverView = serverView();
        stopAgent();
        long total = cpu1[1] - cpu0[1];
        String cpu = total <= 0 ? "?" : String.format(Locale.ROOT, "%.0f%% of all CPUs busy, the wsp server %.0f%%",
                100.0 * (cpu1[0] - cpu0[0]) / total, 100.0 * (server1 - server0) / total);
        String report = report(t0, end, warmup, tallies, serverView, cpu);
        System.out.println();
        System.out.println(report);
        Files.writeString(Path.of(need(args, "report")), report);
        boolean clean = failures.stream().noneMatch(f -> !f.warmup && (f.kind.equals("corrupt") || !inWindow(f)));
        return clean ? 0 : 3;
    }

    // --- load ------------------------------------------------------------------------------------

    private void work(int worker, Tally tally) {
        long n = 0;
        while (!stopping) {
            int dice = ThreadLocalRandom.current().nextInt(100);
            Type type = dice < 70 ? Type.GET : dice < 90 ? Type.POST : Type.SLOW;
            String requestId = "soak-" + worker + "-" + n++;
            boolean warmup = !measuring;
            long start = System.nanoTime();
            String kind;
            String detail;
            try {
                String[] outcome = switch (type) {
                    case GET -> get(requestId, "/tag?t=" + token());
                    case SLOW -> get(requestId, "/slow?ms=" + ThreadLocalRandom.current()
                            .nextInt(SLOW_MIN_MS, SLOW_MAX_MS + 1) + "&t=" + token());
                    case POST -> post(requestId);
                };
                kind = outcome == null ? null : outcome[0];
                detail = outcome == null ? null : outcome[1];
            } catch (IOException e) {
                kind = ioKind(e);
                detail = String.valueOf(e);
            } catch (InterruptedException e) {
                return;
            }
            long end = System.nanoTime();
            if (kind == null) {
                if (measuring && !warmup) {
                    tally.ok(type, TimeUnit.NANOSECONDS.toMicros(end - start));
                }
                continue;
            }
            failures.add(new Failure(type, kind, start, end, warmup));
            appendErrorLog(String.format(Locale.ROOT, "%s %s %s %s %d ms %s: %s", Instant.now(),
                    warmup ? "warmup" : "measured", type, requestId, TimeUnit.NANOSECONDS.toMillis(end - start),
                    kind, detail));
            try {
                Thread.sleep(PAUSE_AFTER_FAILURE_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** GET /tag or /slow; returns null when the body is exactly the one for this token, else {kind, detail}. */
    private String[] get(String requestId, String pathAndQuery) throws IOException, InterruptedException {
        String token = pathAndQuery.substring(pathAndQuery.indexOf("t=") + 2);
        HttpResponse<byte[]> r = client.send(request(requestId, pathAndQuery).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            return httpFailure(r);
        }
        String body = new String(r.body(), StandardCharsets.US_ASCII);
        String expected = "{\"t\":\"" + token + "\",\"padding\":\"" + "x".repeat(48) + "\"}\n";
        return body.equals(expected) ? null : new String[] {"corrupt", "expected " + expected.strip() + ", got "
                + r.body().length + " bytes: " + abbreviate(body)};
    }

    /** POST 1 MiB of fresh random bytes to /sha256; null when the API saw exactly them. */
    private String[] post(String requestId) throws IOException, InterruptedException {
        // A new array per request: the client may still hold the last one if wsp answered early.
        byte[] body = new byte[POST_BYTES];
        ThreadLocalRandom.current().nextBytes(body);
        String expected = POST_BYTES + " " + sha256(body) + "\n";
        HttpResponse<byte[]> r = client.send(request(requestId, "/sha256")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            return httpFailure(r);
        }
        String got = new String(r.body(), StandardCharsets.US_ASCII);
        return got.equals(expected) ? null : new String[] {"corrupt", "expected " + expected.strip() + ", got "
                + abbreviate(got)};
    }

    private HttpRequest.Builder request(String requestId, String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve("/request")).timeout(REQUEST_TIMEOUT)
                .header("X-PROXY-DESTINATION", api + pathAndQuery)
                .header("X-Request-Id", requestId);
        if (!callerKey.isEmpty()) {
            b.header("X-API-Key", callerKey);
        }
        return b;
    }

    private static final Pattern TITLE = Pattern.compile("\"title\"\\s*:\\s*\"([^\"]*)\"");

    /** A status other than 200, named with wsp's problem title when there is one. */
    private static String[] httpFailure(HttpResponse<byte[]> r) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        Matcher m = TITLE.matcher(body);
        String kind = "HTTP " + r.statusCode() + (m.find() ? " " + m.group(1) : "");
        return new String[] {kind, abbreviate(body)};
    }

    /** The exception's class, with the message's numbers masked so that alike failures group. */
    private static String ioKind(IOException e) {
        String msg = e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("[0-9]+", "N");
        return e.getClass().getSimpleName() + abbreviate(msg);
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 100 ? one : one.substring(0, 100) + "...";
    }

    private static String token() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private synchronized void appendErrorLog(String line) {
        try {
            Files.writeString(errorLog, line + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- agent -----------------------------------------------------------------------------------

    private void startAgent() throws IOException {
        agentStarts++;
        Path agentLog = logs.resolve("agent.log");
        Files.writeString(agentLog, "=== soak: agent start " + agentStarts + " at " + Instant.now() + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(agentCommand).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(agentLog.toFile()));
        pb.environment().remove("SOAK_CALLER_KEY");
        agent = pb.start();
        // soak.sh reads this to stop the agent even if this JVM dies without running its hooks.
        Files.writeString(Path.of(need(args, "agent-pid-file")), agent.pid() + "\n");
    }

    /** SIGKILL, start again at once, and wait until the server lists the new agent. */
    private String restartAgent(String since) throws IOException, InterruptedException {
        // The pool may have been renewed since the last look (a lost connection, say): the new
        // agent's pool is told apart from the one alive at the kill.
        Map<String, Object> before = agentStatus();
        if (before != null && before != NO_STATUS) {
            since = String.valueOf(before.get("connectedSince"));
        }
        long kill = System.nanoTime();
        agent.destroyForcibly();
        agent.waitFor();
        startAgent();
        long[] gone = {-1};
        String now = awaitRegistered(since, kill, gone);
        long registered = now == null ? -1 : System.nanoTime();
        windows.add(new Window(kill, gone[0], registered));
        log(String.format(Locale.ROOT, "agent killed and restarted (%d of them): %s", windows.size(),
                now == null ? "NOT registered within " + REGISTER_LIMIT.toSeconds() + " s"
                        : "registered again after " + TimeUnit.NANOSECONDS.toMillis(registered - kill) + " ms"));
        return now == null ? since : now;
    }

    /**
     * Polls /status until the server lists this agent with an idle connection in a pool other than
     * the one seen before the kill ({@code connectedSince} changes whenever a pool is new). Returns
     * the new pool's connectedSince, or null after {@link #REGISTER_LIMIT}. Sets gone[0] to when
     * the old pool was first seen gone.
     */
    private String awaitRegistered(String oldSince, long from, long[] gone) throws InterruptedException {
        long deadline = from + REGISTER_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> a = agentStatus();
            if (a == null) {
                if (gone[0] < 0) {
                    gone[0] = System.nanoTime();
                }
            } else if (a != NO_STATUS) {
                String since = String.valueOf(a.get("connectedSince"));
                if (!since.equals(oldSince) && ((Number) a.get("idle")).intValue() > 0) {
                    return since;
                }
            }
            Thread.sleep(STATUS_POLL_MS);
        }
        return null;
    }

    private static final Map<String, Object> NO_STATUS = Map.of();

    /** This agent's entry in /status, null when not listed, NO_STATUS when /status did not answer. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> agentStatus() throws InterruptedException {
        Map<String, Object> status = status();
        if (status == null) {
            return NO_STATUS;
        }
        for (Object o : (List<Object>) status.getOrDefault("agents", List.of())) {
            Map<String, Object> a = (Map<String, Object>) o;
            if (agentId.equals(a.get("id"))) {
                return a;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> status() throws InterruptedException {
        try {
            HttpResponse<String> r = statusClient.send(HttpRequest.newBuilder(server.resolve("/status"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? (Map<String, Object>) new Json(r.body()).value() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The agent at the end is stopped as an operator would: SIGTERM, and its shutdown grace. */
    private void stopAgent() throws InterruptedException {
        Process p = agent;
        p.destroy();
        if (!p.waitFor(35, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private void killAgent() {
        Process p = agent;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    // --- memory ----------------------------------------------------------------------------------

    private Sample sample(String when, long t0) throws IOException, InterruptedException {
        long at = System.nanoTime();
        Process p = agent;
        Sample s = new Sample(when, at - t0, mem(serverPid, "server", when), mem(p.pid(), "agent", when));
        log(String.format(Locale.ROOT, "memory %s: server live heap %s MB RSS %s MB, agent live heap %s MB RSS %s MB",
                when, mb(s.server.liveHeapKb), mb(s.server.rssKb), mb(s.agent.liveHeapKb), mb(s.agent.rssKb)));
        return s;
    }

    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    /**
     * Live heap (the total of {@code jcmd PID GC.class_histogram}, which runs a full GC first and
     * counts what survived it: unlike GC.run then GC.heap_info, the load cannot allocate in
     * between), RSS, threads and open files. The histogram's top goes to the log directory, for
     * looking at what grew.
     */
    private Mem mem(long pid, String who, String when) throws IOException, InterruptedException {
        String histogram = jcmd(pid, "GC.class_histogram");
        Matcher m = HISTOGRAM_TOTAL.matcher(histogram);
        long live = m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
        Files.writeString(logs.resolve("histogram-" + who + "-" + when.replace(' ', '-') + ".txt"),
                histogram.lines().limit(40).collect(Collectors.joining("\n", "", "\n")));
        long rss = -1;
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
            }
        }
        int fds;
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = (int) s.count();
        }
        return new Mem(live, rss, threads, fds);
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Busy and total ticks of all CPUs since boot, from the first line of /proc/stat. */
    private static long[] cpuTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            long v = Long.parseLong(f[i]);
            total += v;
            if (i != 4 && i != 5) { // idle, iowait
                busy += v;
            }
        }
        return new long[] {busy, total};
    }

    /** utime + stime of a process, in the same ticks; fields counted after "(comm)". */
    private static long processTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    // --- report ----------------------------------------------------------------------------------

    /** The server's own totals at the end, for comparison with what the callers saw. */
    @SuppressWarnings("unchecked")
    private String serverView() throws InterruptedException {
        Map<String, Object> status = status();
        if (status == null) {
            return "/status did not answer";
        }
        Map<String, Object> t = (Map<String, Object>) status.get("totals");
        StringBuilder classes = new StringBuilder();
        ((Map<String, Object>) t.get("statuses")).forEach((k, v) -> classes.append(classes.length() == 0 ? "" : ", ")
                .append(k).append(' ').append(num(v)));
        return "requests " + num(t.get("requests")) + " (" + classes + "), errors " + num(t.get("errors"));
    }

    private boolean inWindow(Failure f) {
        for (Window w : windows) {
            if (f.start <= w.closesAt(GRACE_NANOS) && f.end >= w.kill) {
                return true;
            }
        }
        return false;
    }

    private String report(long t0, long end, long warmup, List<Tally> tallies, String serverView, String cpu) {
        StringBuilder r = new StringBuilder();
        Map<Type, long[]> lat = new EnumMap<>(Type.class);
        long ok = 0;
        for (Type type : Type.values()) {
            long[] all = new long[0];
            for (Tally t : tallies) {
                int n = t.counts.getOrDefault(type, 0);
                long[] a = t.latencies.getOrDefault(type, new long[0]);
                long[] merged = Arrays.copyOf(all, all.length + n);
                System.arraycopy(a, 0, merged, all.length, n);
                all = merged;
            }
            Arrays.sort(all);
            lat.put(type, all);
            ok += all.length;
        }
        List<Failure> measured = failures.stream().filter(f -> !f.warmup).toList();
        long warmupFailures = failures.size() - measured.size();
        long inside = measured.stream().filter(this::inWindow).count();
        long corruptIn = measured.stream().filter(f -> f.kind.equals("corrupt") && inWindow(f)).count();
        long corruptOut = measured.stream().filter(f -> f.kind.equals("corrupt") && !inWindow(f)).count();
        double secs = (end - t0) / 1e9;

        r.append("| Figure | Value |\n|---|---|\n");
        row(r, "Measured", String.format(Locale.ROOT, "%.0f s after %d s of warm-up; %d workers, HTTP/1.1, mix 70%% "
                + "small GET / 20%% 1 MiB POST / 10%% slow GET", secs, TimeUnit.NANOSECONDS.toSeconds(warmup), WORKERS));
        row(r, "Requests ok", String.format(Locale.ROOT, "%,d (%.0f/s): %,d small GET, %,d 1 MiB POST, %,d slow GET", ok,
                ok / secs, lat.get(Type.GET).length, lat.get(Type.POST).length, lat.get(Type.SLOW).length));
        row(r, "Requests failed", String.format(Locale.ROOT, "%,d: **%,d inside down windows, %,d outside**",
                measured.size(), inside, measured.size() - inside));
        row(r, "Corrupt responses (200 with a body other than the one asked for)",
                String.format(Locale.ROOT, "**%d** (%d inside down windows, %d outside)", corruptIn + corruptOut,
                        corruptIn, corruptOut));
        long registeredCount = windows.stream().filter(w -> w.registered >= 0).count();
        String reg = registeredCount == 0 ? "—" : String.format(Locale.ROOT, "mean %.2f s, min %.2f s, max %.2f s",
                windows.stream().filter(w -> w.registered >= 0).mapToLong(w -> w.registered - w.kill).average().orElse(0) / 1e9,
                windows.stream().filter(w -> w.registered >= 0).mapToLong(w -> w.registered - w.kill).min().orElse(0) / 1e9,
                windows.stream().filter(w -> w.registered >= 0).mapToLong(w -> w.registered - w.kill).max().orElse(0) / 1e9);
        row(r, "Agent restarts (SIGKILL, then started again at once)", windows.size() + ", re-registered "
                + registeredCount + (registeredCount < windows.size() ? " (**" + (windows.size() - registeredCount)
                + " not within " + REGISTER_LIMIT.toSeconds() + " s**)" : ""));
        row(r, "Kill to registered again (server lists a new pool with an idle connection)", reg);
        long gone = windows.stream().filter(w -> w.poolGone >= 0).count();
        row(r, "Kill to the killed agent's pool gone from /status", gone == 0 ? "never seen gone"
                : String.format(Locale.ROOT, "seen gone after %d of %d kills, mean %.2f s", gone, windows.size(),
                        windows.stream().filter(w -> w.poolGone >= 0).mapToLong(w -> w.poolGone - w.kill).average()
                                .orElse(0) / 1e9));
        row(r, "CPU during the measured run (/proc/stat; the rest is this load, the agent, the API and any other "
                + "process on the machine)", cpu);
        row(r, "Server's own count at the end (/status totals, warm-up included)", serverView);
        if (warmupFailures > 0) {
            row(r, "Failures during warm-up (not counted above)", String.valueOf(warmupFailures));
        }

        r.append("\n| Request type | ok | p50 (ms) | p99 (ms) | max (ms) |\n|---|---:|---:|---:|---:|\n");
        for (Type type : Type.values()) {
            long[] a = lat.get(type);
            r.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s |\n", type.label, a.length,
                    pct(a, 50), pct(a, 99), a.length == 0 ? "—" : ms(a[a.length - 1])));
        }

        r.append("\nFailures by kind. *Inside* a down window: the request was in flight at some moment between a kill "
                + "and " + TimeUnit.NANOSECONDS.toSeconds(GRACE_NANOS) + " s after the agent was registered again.\n\n");
        r.append("| Kind | Request type | Inside down windows | Outside |\n|---|---|---:|---:|\n");
        Map<String, long[]> byKind = new TreeMap<>();
        for (Failure f : measured) {
            long[] c = byKind.computeIfAbsent(f.kind + "\u0000" + f.type.label, k -> new long[2]);
            c[inWindow(f) ? 0 : 1]++;
        }
        if (byKind.isEmpty()) {
            r.append("| none | | 0 | 0 |\n");
        }
        byKind.forEach((k, c) -> {
            String[] parts = k.split("\u0000");
            r.append("| ").append(parts[0].replace("|", "\\|")).append(" | ").append(parts[1]).append(" | ")
                    .append(c[0]).append(" | ").append(c[1]).append(" |\n");
        });

        r.append("\nMemory, sampled under load: live heap after a full GC (the total of `jcmd PID GC.class_histogram`), "
                + "VmRSS and threads (`/proc/PID/status`), open file descriptors (`/proc/PID/fd`). The server's heap is in its "
                + "command below; the agent runs at `-Xmx64m`. The agent is a new process after every kill: each row is the one alive then (at most a "
                + "minute old).\n\n");
        r.append("| When | Server live heap (MB) | Server RSS (MB) | Server threads / fds "
                + "| Agent live heap (MB) | Agent RSS (MB) | Agent threads / fds |\n");
        r.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Sample s : samples) {
            r.append(String.format(Locale.ROOT, "| %s (t=%ds) | %s | %s | %d / %d | %s | %s | %d / %d |\n",
                    s.when, TimeUnit.NANOSECONDS.toSeconds(s.atNanos), mb(s.server.liveHeapKb), mb(s.server.rssKb),
                    s.server.threads, s.server.fds, mb(s.agent.liveHeapKb), mb(s.agent.rssKb), s.agent.threads,
                    s.agent.fds));
        }
        r.append("\nAgent command (started by bench/Soak.java, `WSP_SECRET_KEY` in its environment):\n\n```sh\n")
                .append(String.join(" ", agentCommand)).append("\n```\n");
        return r.toString();
    }

    private static void row(StringBuilder r, String figure, String value) {
        r.append("| ").append(figure).append(" | ").append(value).append(" |\n");
    }

    private static String pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return "—";
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return ms(sorted[Math.max(0, rank - 1)]);
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    private static String mb(long kb) {
        return kb < 0 ? "?" : String.format(Locale.ROOT, "%.0f", kb / 1024.0);
    }

    private static String num(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%,d", n.longValue()) : String.valueOf(o);
    }

    private long sleepUntil(long deadline, long nextProgress, long t0, List<Tally> tallies) throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            if (now >= deadline) {
                return nextProgress;
            }
            if (now >= nextProgress) {
                // Tallies are read unsynchronised: a progress line may be a few requests stale.
                long ok = tallies.stream().mapToLong(t -> t.counts.values().stream().mapToLong(Integer::longValue).sum())
                        .sum();
                long failed = failures.stream().filter(f -> !f.warmup).count();
                log(String.format(Locale.ROOT, "t=%ds ok %,d, failed %,d", TimeUnit.NANOSECONDS.toSeconds(now - t0), ok,
                        failed));
                nextProgress += PROGRESS_EVERY.toNanos();
                continue;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(deadline, nextProgress) - now);
        }
    }

    private static void log(String msg) {
        System.out.println(Instant.now().toString().substring(11, 19) + " " + msg);
    }

    private static String need(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    /** Just enough JSON for /status: objects, arrays, strings, numbers, booleans, null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    skip();
                    String k = string();
                    skip();
                    expect(':');
                    m.put(k, value());
                    skip();
                    if (s.charAt(i++) == '}') {
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    skip();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String word = s.substring(start, i);
            return switch (word) {
                case "true" -> true;
                case "false" -> false;
                case "null" -> null;
                default -> Double.parseDouble(word);
            };
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            for (char c; (c = s.charAt(i++)) != '"'; ) {
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        private void expect(char c) {
            if (s.charAt(i++) != c) {
                throw new IllegalArgumentException("expected " + c + " at " + (i - 1));
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
