package io.wsp.protocol.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FrameSenderTest {

    private final List<IOException> failures = new CopyOnWriteArrayList<>();

    @Test
    void aFailedWriteIsReportedOnceThenThrownToTheSender() {
        IOException broken = new IOException("broken pipe");
        FrameSender sender = new FrameSender(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw broken;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw broken;
            }
        }, false, failures::add);
        IOException thrown = assertThrows(IOException.class, () -> sender.send(w -> w.text("hello")));
        assertSame(broken, thrown);
        assertEquals(List.of(broken), failures);
    }

    @Test
    void aSendAfterOurCloseIsRefusedWithoutCountingAsAFailure() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameSender sender = new FrameSender(out, false, failures::add);
        assertTrue(sender.close(CloseCodes.NORMAL, "bye", 1_000));
        int written = out.size();
        assertThrows(FrameSender.ClosedException.class, () -> sender.send(w -> w.text("late")));
        assertEquals(written, out.size(), "nothing after the close frame");
        assertEquals(List.of(), failures);
    }

    @Test
    void theFailureHandlerRunsWithoutTheSendLock() {
        FrameSender[] self = new FrameSender[1];
        List<Boolean> pingSent = new CopyOnWriteArrayList<>();
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("reset");
            }
        };
        // An owner's clean-up may send from other threads and wait for them. ping() from another
        // thread reports true without writing while a send holds the lock, and false when it
        // could write and the write failed.
        self[0] = new FrameSender(failing, false, e -> {
            Thread other = new Thread(() -> pingSent.add(self[0].ping()));
            other.start();
            try {
                other.join(5_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        assertThrows(IOException.class, () -> self[0].send(w -> w.text("x")));
        assertEquals(List.of(false), pingSent, "the other thread took the lock and found the write failing");
    }
}
