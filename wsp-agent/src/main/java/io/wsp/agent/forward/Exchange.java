package io.wsp.agent.forward;

import io.wsp.agent.forward.http1.Http1Client;
import io.wsp.agent.forward.http1.Http1Exchange;
import io.wsp.agent.forward.http1.Http1Response;
import io.wsp.protocol.Frames;
import io.wsp.protocol.Headers;
import io.wsp.protocol.HopByHop;
import io.wsp.protocol.ProblemJson;
import io.wsp.protocol.ProxyHeaders;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.rules.Target;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * One request being performed: receives the request body frames, has the {@link DestinationGuard}
 * check the destination, calls it through {@link Http1Client} at the address the guard checked,
 * and relays the response to a {@link ResponseSink}. A refused request never reaches the network:
 * it is answered 403 and its body drained, so the connection stays in step for the next request.
 *
 * <p>Threads: {@link #onBodyFrame} is called by the WebSocket receive thread only; the check, the
 * name look-up and the request are done by a worker of the forwarder's client executor, which also
 * writes the body; the response is relayed on a worker of the forwarder's relay executor (for a
 * request without a body, on that same client worker), never on the receive thread; {@link #cancel}
 * may be called from any thread.
 */
public final class Exchange {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    private static final String REFUSED_TITLE = "Destination forbidden by the agent";
    /** The same for every refusal: which rule refused is in the agent's log, not for callers to probe. */
    private static final String REFUSED_DETAIL = "the agent's rules do not allow this destination; its log says why";

    private final Forwarder forwarder;
    private final RequestHead head;
    private final ResponseSink sink;
    private final BodyPipe pipe;
    /** Null when the request was refused before any network call; the body is then just drained. */
    private final URI destination;

    /** Receive thread only. */
    private boolean started;

    /** Where the call stands with its response head: decided once, by the reader or the deadline. */
    private enum HeadWait { AWAITED, ARRIVED, TIMED_OUT }

    private final AtomicReference<HeadWait> headWait = new AtomicReference<>(HeadWait.AWAITED);
    /** Runs out the request timeout; cancelled once the head is in. */
    private volatile ScheduledFuture<?> headDeadline;

    // Guarded by this: what cancel() must reach.
    private boolean cancelled;
    /** The call, once the destination passed the guard: see {@link #perform}. */
    private Http1Exchange duplex;
    private InputStream responseBody;
    /** The worker relaying the response: closing the body does not wake a read blocked on it. */
    private Thread relayThread;

    private Exchange(Forwarder forwarder, RequestHead head, ResponseSink sink, URI destination) {
        this.forwarder = forwarder;
        this.head = head;
        this.sink = sink;
        this.destination = destination;
        this.pipe = new BodyPipe(Forwarder.REQUEST_BODY_BUFFER);
    }

    /** Starts an exchange; a URL the agent cannot call is answered 527 at once. */
    static Exchange start(Forwarder forwarder, RequestHead head, ResponseSink sink) {
        URI destination;
        try {
            destination = OutboundRequest.destination(head.url);
        } catch (CannotForwardException e) {
            LOG.log(System.Logger.Level.INFO, "request {0} refused: {1}: {2}", requestId(head), head.method, e.getMessage());
            Exchange refused = new Exchange(forwarder, head, sink, null);
            refused.pipe.discard();
            refused.started = true;
            refused.relayAsync(() -> refused.sendAgentError(e.getMessage()));
            return refused;
        }
        // Whatever the server forwarded (the Go server passes the caller's headers on as they are),
        // the internal API never sees a wsp key, a destination or a hop-by-hop header of the caller.
        head.header = ProxyHeaders.forwardable(head.header);
        Exchange exchange = new Exchange(forwarder, head, sink, destination);
        if (head.contentLength >= 0) {
            exchange.call(head.contentLength);
        }
        return exchange;
    }

    /**
     * One frame of the request body message; blocks while the body buffer is full. With an unknown
     * length the call waits for the first frame: a one-frame body then gets an exact length, so a
     * bodiless GET is not sent chunked.
     */
    public void onBodyFrame(ByteBuffer frame, boolean last) throws InterruptedException {
        if (!started) {
            call(last ? frame.remaining() : WspProtocol.UNKNOWN_LENGTH);
        }
        pipe.write(frame);
        if (last) {
            pipe.finish();
        }
    }

    /** The connection is gone: abandon the call and unblock everything waiting on it. */
    public void cancel() {
        Http1Exchange d;
        InputStream body;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            d = duplex;
            body = responseBody;
            if (relayThread != null) {
                relayThread.interrupt();
            }
        }
        pipe.fail(new IOException("connection to the wsp server closed"));
        cancelHeadDeadline();
        if (d != null) {
            // Closes the connection: wakes the body writer and the response reader at once.
            d.cancel();
        }
        closeQuietly(body);
    }

    private void call(long contentLength) {
        started = true;
        try {
            ExecutorService workers = forwarder.clientExecutor();
            // Once the workers are shut down, their refusal is the answer, also for a bodiless
            // request that the connection's own thread could still have run.
            if (contentLength == 0 && !workers.isShutdown()) {
                sink.runBodiless(() -> perform(0), workers);
            } else {
                workers.execute(() -> perform(contentLength));
            }
        } catch (RejectedExecutionException shuttingDown) {
            pipe.discard();
            sink.abort("agent shutting down");
        }
    }

    /**
     * Client worker: checks the destination and resolves its host, then performs the request in
     * full duplex: sends the head, starts the response reader on a relay worker, then streams the
     * body from the pipe; both run at once. Without a body there is nothing to run at once: the
     * worker then reads and relays the response itself.
     */
    private void perform(long contentLength) {
        InetAddress address;
        try {
            address = forwarder.guard().admit(Target.of(head.method, head.url, head.header));
        } catch (DestinationRefusedException e) {
            refuse(e.getMessage());
            return;
        } catch (UnknownHostException e) {
            relayAsync(() -> relayFailure(e));
            return;
        }
        Http1Exchange x;
        try {
            x = forwarder.http1().newExchange(destination, address, head.method, head.header, contentLength);
        } catch (IllegalArgumentException e) {
            // Fixed, secret-free texts ("invalid header value", ...).
            pipe.discard();
            relayAsync(() -> sendAgentError(e.getMessage()));
            return;
        }
        boolean cancelledMeanwhile;
        synchronized (this) {
            duplex = x;
            cancelledMeanwhile = cancelled;
        }
        if (cancelledMeanwhile) {
            x.cancel();
            return;
        }
        sendDuplex(x, contentLength == 0);
    }

    /** The guard said no: nothing goes out; the body is drained and the caller gets 403. */
    private void refuse(String reason) {
        pipe.discard();
        LOG.log(System.Logger.Level.WARNING, "request {0} refused by the agent''s rules: {1} {2}: {3}",
                requestId(head), head.method, safeUrl(), reason);
        relayAsync(() -> sendProblem(403, REFUSED_TITLE, REFUSED_DETAIL));
    }

    private void sendDuplex(Http1Exchange x, boolean bodiless) {
        try {
            x.sendHead();
        } catch (IOException e) {
            relayAsync(() -> relayFailure(e));
            return;
        }
        if (bodiless) {
            // Nothing to stream out: this worker reads the response too, one hand-off fewer per request.
            sendBody(x);
            receiveDuplex(x);
            return;
        }
        relayAsync(() -> receiveDuplex(x));
        sendBody(x);
    }

    private void sendBody(Http1Exchange x) {
        try {
            x.sendBody(pipe.inputStream());
        } catch (IOException e) {
            // The reader reports it: the connection is closed, or the destination may still answer.
            return;
        } finally {
            pipe.discard();
        }
        awaitHead(x);
    }

    /**
     * Starts the request timeout once the whole body went out, so a long upload is not cut short
     * while the API is still reading it.
     */
    private void awaitHead(Http1Exchange x) {
        Duration timeout = forwarder.requestTimeout();
        if (timeout.isZero() || headWait.get() != HeadWait.AWAITED) {
            return;
        }
        try {
            headDeadline = forwarder.deadlines().schedule(() -> {
                if (headWait.compareAndSet(HeadWait.AWAITED, HeadWait.TIMED_OUT)) {
                    // Wakes the reader, which answers with the timeout.
                    x.cancel();
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            return;
        }
        if (headWait.get() != HeadWait.AWAITED) {
            headDeadline.cancel(false);
        }
    }

    private void receiveDuplex(Http1Exchange x) {
        try {
            Http1Response response;
            try {
                response = x.readResponse();
            } catch (IOException e) {
                relayFailure(headWait.get() == HeadWait.TIMED_OUT ? requestTimedOut() : e);
                return;
            }
            if (!headWait.compareAndSet(HeadWait.AWAITED, HeadWait.ARRIVED)) {
                closeQuietly(response.body());
                relayFailure(requestTimedOut());
                return;
            }
            cancelHeadDeadline();
            relayResponse(response.status(), response.headers(), response.body());
        } finally {
            pipe.discard();
        }
    }

    private static HttpTimeoutException requestTimedOut() {
        return new HttpTimeoutException("request timed out");
    }

    private void cancelHeadDeadline() {
        ScheduledFuture<?> deadline = headDeadline;
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private void relayAsync(Runnable task) {
        try {
            forwarder.relayExecutor().execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            pipe.discard();
            sink.abort("agent shutting down");
        }
    }

    /** The call failed before a response head: answers 527 with the reason. */
    private void relayFailure(Throwable error) {
        // Drain the rest of the body first: the server may not read our answer until it has sent it all.
        pipe.discard();
        if (!isCancelled()) {
            String kind = kind(error);
            String reason = WspProtocol.AGENT_ERROR_REQUEST_TIMEOUT.equals(kind)
                    ? "the internal API sent no response head within " + forwarder.requestTimeout().toMillis() + " ms"
                    : reason(error);
            LOG.log(System.Logger.Level.INFO, "request {0} failed: {1} {2}: {3}", requestId(head), head.method, safeUrl(), reason);
            sendAgentError(reason, kind);
        }
    }

    private void relayResponse(int status, Map<String, List<String>> headers, InputStream body) {
        synchronized (this) {
            if (cancelled) {
                closeQuietly(body);
                return;
            }
            responseBody = body;
            relayThread = Thread.currentThread();
        }
        try {
            relayBody(status, headers, body);
        } finally {
            synchronized (this) {
                relayThread = null;
            }
            // An interrupt from cancel() must not leak into the executor's next task.
            Thread.interrupted();
        }
    }

    private void relayBody(int status, Map<String, List<String>> headers, InputStream body) {
        boolean headSent = false;
        try (body) {
            long length = contentLength(headers);
            ResponseHead responseHead = new ResponseHead(status, HopByHop.endToEnd(headers), length);
            boolean small = length >= 0 && length <= WspProtocol.BODY_FRAME_SIZE;
            // Sized to the body when it is small: a 64 KiB buffer per small response made the
            // agent's collector run dozens of times a second under load.
            byte[] buffer = new byte[small ? (int) Math.max(length, 1) : WspProtocol.BODY_FRAME_SIZE];
            long relayed = 0;
            if (small) {
                // A small body is read before the head leaves, so that both go in one write. It
                // comes right behind its head; if it does not, the caller waits for the head
                // instead of for the body, under the same timeouts.
                relayed = body.readNBytes(buffer, 0, (int) length);
                if (relayed == length && body.read() < 0) {
                    sink.sendHeadAndBody(responseHead, ByteBuffer.wrap(buffer, 0, (int) relayed));
                    return;
                }
                sink.sendHead(responseHead);
                headSent = true;
                if (relayed == length) {
                    throw new IOException("response body longer than its Content-Length");
                }
                // Shorter than announced: sent as read, ended as any body that ends early.
                if (relayed > 0) {
                    sink.sendBody(ByteBuffer.wrap(buffer, 0, (int) relayed), false);
                }
                sink.sendBody(ByteBuffer.allocate(0), true);
                return;
            }
            sink.sendHead(responseHead);
            headSent = true;
            int n;
            // A frame takes what has arrived so far and no more: a bulk body fills frames, and a
            // stream (SSE) goes out piece by piece as it comes.
            while ((n = body.read(buffer)) >= 0) {
                n += Frames.fillAvailable(body, buffer, n);
                relayed += n;
                if (relayed == length) {
                    // The frame that completes the announced length ends the message: every message
                    // costs both sides a send and a receive, and a small body then needs just one.
                    endWith(ByteBuffer.wrap(buffer, 0, n), body);
                    return;
                }
                if (n > 0) {
                    sink.sendBody(ByteBuffer.wrap(buffer, 0, n), false);
                }
            }
            sink.sendBody(ByteBuffer.allocate(0), true);
        } catch (IOException e) {
            if (!isCancelled()) {
                String reason = headSent ? "response body failed: " + reason(e) : "sending the response failed";
                LOG.log(System.Logger.Level.INFO, "request {0} failed: {1} {2}: {3}", requestId(head), head.method, safeUrl(), reason);
                sink.abort(reason);
            }
        }
    }

    /**
     * Sends {@code frame} as the body's last, once the body confirms its end. The HTTP client stops a
     * body at its Content-Length, so the read only collects the end and never waits.
     */
    private void endWith(ByteBuffer frame, InputStream body) throws IOException {
        if (body.read() >= 0) {
            throw new IOException("response body longer than its Content-Length");
        }
        sink.sendBody(frame, true);
    }

    private void sendAgentError(String reason) {
        sendAgentError(reason, null);
    }

    /**
     * Answers like the Go agent when it cannot perform a request: 527 and the reason as text; a
     * timeout also names its kind, so our server can answer 504 rather than 502.
     */
    private void sendAgentError(String reason, String kind) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (kind != null) {
            headers.put(WspProtocol.AGENT_ERROR_KIND_HEADER, List.of(kind));
        }
        sendText(WspProtocol.AGENT_ERROR_STATUS, "text/plain; charset=utf-8", reason, headers);
    }

    private void sendText(int status, String contentType, String body) {
        sendText(status, contentType, body, new LinkedHashMap<>());
    }

    private void sendText(int status, String contentType, String body, Map<String, List<String>> headers) {
        byte[] text = body.getBytes(StandardCharsets.UTF_8);
        headers.put("Content-Type", List.of(contentType));
        try {
            sink.sendHead(new ResponseHead(status, headers, text.length));
            sink.sendBody(ByteBuffer.wrap(text), true);
        } catch (IOException e) {
            sink.abort("sending the response failed");
        }
    }

    /** Answers an error of the agent's own as problem+json, as the server answers its own. */
    private void sendProblem(int status, String title, String detail) {
        sendText(status, ProblemJson.CONTENT_TYPE, ProblemJson.of(status, title, detail));
    }

    /** The server's X-Request-Id, so agent and server log lines about one request can be matched. */
    private static String requestId(RequestHead head) {
        return Headers.first(head.header, WspProtocol.REQUEST_ID_HEADER).orElse("-");
    }

    private synchronized boolean isCancelled() {
        return cancelled;
    }

    /** The URL without its query, which may hold credentials, for logs. */
    private String safeUrl() {
        return destination == null ? "(invalid URL)"
                : destination.getScheme() + "://" + destination.getRawAuthority() + destination.getRawPath();
    }

    /** The first Content-Length value, or unknown. */
    private static long contentLength(Map<String, List<String>> headers) {
        try {
            return Headers.first(headers, "Content-Length").map(v -> Long.parseLong(v.strip()))
                    .orElse(WspProtocol.UNKNOWN_LENGTH);
        } catch (NumberFormatException e) {
            return WspProtocol.UNKNOWN_LENGTH;
        }
    }

    /** The error kind a timeout is reported with; null for any other failure. */
    static String kind(Throwable error) {
        if (error instanceof HttpConnectTimeoutException) {
            return WspProtocol.AGENT_ERROR_CONNECT_TIMEOUT;
        }
        return error instanceof HttpTimeoutException ? WspProtocol.AGENT_ERROR_REQUEST_TIMEOUT : null;
    }

    /** A short, secret-free reason for a failed call, in the words an operator would search for. */
    static String reason(Throwable t) {
        if (t instanceof UnknownHostException) {
            return "unable to execute request: unknown host";
        }
        if (t instanceof HttpConnectTimeoutException) {
            return "unable to execute request: connect timeout";
        }
        if (t instanceof ConnectException) {
            return "unable to execute request: connection refused";
        }
        if (t instanceof SSLException) {
            return "unable to execute request: TLS handshake failed";
        }
        if (t instanceof IOException && t.getMessage() != null) {
            String message = t.getMessage().lines().findFirst().orElse("");
            return "unable to execute request: " + (message.length() > 120 ? message.substring(0, 120) : message);
        }
        return "unable to execute request: " + t.getClass().getSimpleName();
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // Closing only aborts the response; its failure changes nothing.
        }
    }
}
