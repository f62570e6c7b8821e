package io.wsp.it;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs blocking test work on a thread of its own. Not {@code CompletableFuture}'s default pool:
 * since JDK 25 that is always the common ForkJoinPool, which has one thread on a 2-core machine,
 * so a task blocked there (a caller reading while another uploads, a reader left behind by a
 * timeout) starves every later task in the test JVM.
 */
final class OwnThread {

    private static final Executor THREAD_PER_TASK = task -> {
        Thread t = new Thread(task, "it-task");
        t.setDaemon(true);
        t.start();
    };

    private OwnThread() {
    }

    static <T> CompletableFuture<T> supply(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, THREAD_PER_TASK);
    }

    static CompletableFuture<Void> run(Runnable work) {
        return CompletableFuture.runAsync(work, THREAD_PER_TASK);
    }
}
