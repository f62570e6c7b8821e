package io.wsp.agent.forward;

import io.wsp.protocol.ResponseHead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/** Drives {@link Traffic} the way an exchange does, for tests outside this package. */
public final class TrafficProbe {

    private static final ResponseSink NOWHERE = new ResponseSink() {
        @Override
        public void sendHead(ResponseHead head) {
        }

        @Override
        public void sendBody(ByteBuffer frame, boolean last) {
            frame.position(frame.limit());
        }

        @Override
        public void abort(String reason) {
        }
    };

    private TrafficProbe() {
    }

    public static void respond(Traffic traffic, int status, int bodyBytes) throws IOException {
        ResponseSink sink = traffic.track(NOWHERE);
        sink.sendHead(new ResponseHead(status, Map.of(), bodyBytes));
        sink.sendBody(ByteBuffer.allocate(bodyBytes), true);
    }

    public static void abortAfterHead(Traffic traffic, int status) throws IOException {
        ResponseSink sink = traffic.track(NOWHERE);
        sink.sendHead(new ResponseHead(status, Map.of(), -1));
        sink.abort("test");
        sink.abort("twice");
    }

    public static void startOnly(Traffic traffic) {
        traffic.track(NOWHERE);
    }
}
