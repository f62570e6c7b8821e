package io.wsp.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsp.server.metrics.RequestOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private final Logger logger = Logger.getLogger(AccessLog.LOGGER);
    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (lines) {
                lines.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final AccessLog log = new AccessLog();

    @BeforeEach
    void capture() {
        logger.addHandler(capture);
        logger.setUseParentHandlers(false);
    }

    @AfterEach
    void release() {
        logger.removeHandler(capture);
        logger.setUseParentHandlers(true);
    }

    @Test
    void theLineHasEveryFieldAsKeyValuePairs() {
        RequestOutcome o = new RequestOutcome("r-1", "ci", "billing", "POST", "http://api:8081/orders", 201, 12, 340,
                25_400_000, null);
        assertEquals("request=r-1 caller=ci agent=billing method=POST destination=http://api:8081/orders status=201 in=12"
                + " out=340 ms=25", AccessLog.line(o));
    }

    @Test
    void absentAgentAndDestinationAreDashesAndTheErrorIsQuotedOnOneLine() {
        RequestOutcome o = new RequestOutcome("r-2", "-", null, "GET", null, 502, 0, 0, 1_000_000,
                "Agent lost: \"x\"\nand more");
        assertEquals("request=r-2 caller=- agent=- method=GET destination=- status=502 in=0 out=0 ms=1"
                + " error=\"Agent lost: 'x' and more\"", AccessLog.line(o));
    }

    @Test
    void everyLineFromManyThreadsIsWrittenOnceAndInEachThreadsOrderByTheTimeItStops() throws InterruptedException {
        log.start();
        int threads = 4;
        int perThread = 5_000;
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String caller = "t" + t;
            Thread writer = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    log.write(outcome(caller, i));
                }
            });
            writers.add(writer);
            writer.start();
        }
        for (Thread writer : writers) {
            writer.join();
        }
        log.stop();

        assertEquals(threads * perThread, lines.size());
        int[] next = new int[threads];
        for (String line : lines) {
            int t = Integer.parseInt(line.substring(line.indexOf("caller=t") + 8, line.indexOf(" agent=")));
            assertEquals("request=" + next[t], line.substring(0, line.indexOf(' ')), "order of thread " + t);
            next[t]++;
        }
    }

    @Test
    void afterItStopsALineIsWrittenAtOnce() {
        log.start();
        log.stop();
        log.write(outcome("late", 7));
        assertEquals(List.of(AccessLog.line(outcome("late", 7))), lines);
    }

    private static RequestOutcome outcome(String caller, int n) {
        return new RequestOutcome(String.valueOf(n), caller, "a", "GET", "http://api/", 200, 0, 1, 0, null);
    }
}
