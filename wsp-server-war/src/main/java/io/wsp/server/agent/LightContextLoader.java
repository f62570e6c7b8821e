package io.wsp.server.agent;

import java.io.IOException;

/**
 * Runs WebSocket sends with the platform class loader as the thread's context class loader.
 *
 * <p>Why: Payara's WebSocket implementation (Tyrus 2.1) restarts the session's idle timer on
 * every message, even with the idle timeout off, by scheduling a task on the default managed
 * scheduled executor; capturing the context for that task looks up a service through the thread's
 * context class loader, and through the application's loader that look-up walks every module jar
 * of the server. It was the largest single cost of a small request (the README, "Measured so
 * far"). Through the platform loader it is short, and a send of a String or a ByteBuffer needs
 * nothing from the application's loader. On another container this only costs two field writes.
 */
final class LightContextLoader {

    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private LightContextLoader() {
    }

    interface Action {
        void run() throws IOException;
    }

    static void run(Action action) throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(PLATFORM);
        try {
            action.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
