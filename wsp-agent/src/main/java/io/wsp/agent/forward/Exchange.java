package io.wsp.agent.forward;

import io.wsp.protocol.Headers;
import io.wsp.protocol.ProblemJson;
import io.wsp.protocol.ProxyHeaders;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.rules.Target;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.io.Content;

/**
 * One request being performed: receives the request body frames, has the {@link DestinationGuard}
 * check the destination, calls it through the forwarder's Jetty {@code HttpClient} at the address
 * the guard checked, and relays the response to a {@link ResponseSink}. A refused request never
 * reaches the network: it is answered 403 and its body drained, so the connection stays in step
 * for the next request.
 *
 * <p>Threads: the connection's WebSocket receive thread starts the exchange and calls
 * {@link #onBodyFrame}; it also checks the destination and looks its name up, which may block, but
 * it serves this connection only, and the connection serves this exchange only. It then hands the
 * request to Jetty, whose threads send it and call the listeners below, which never block: a
 * response sent whole (small, bodiless, or an error of the agent's) is queued on the connection
 * without waiting, and only a body sent in frames is relayed by a worker of the forwarder's relay
 * executor (see {@link ResponseRelay}). {@link #cancel} may run on any thread, the deadlines on
 * Jetty's scheduler.
 */
public final class Exchange implements ResponseRelay.Outcome {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    private static final String REFUSED_TITLE = "Destination forbidden by the agent";
    /** The same for every refusal: which rule refused is in the agent's log, not for callers to probe. */
    private static final String REFUSED_DETAIL = "the agent's rules do not allow this destination; its log says why";

    /** Methods that define no meaning for a body: without one they get no Content-Length (RFC 9110 8.6). */
    private static final Set<String> BODYLESS_METHODS = Set.of("GET", "HEAD", "DELETE", "OPTIONS", "TRACE");

    private final Forwarder forwarder;
    private final RequestHead head;
    private final ResponseSink sink;
    /** Null when the request was refused before any network call; the body is then just drained. */
    private final URI destination;

    /** Receive thread only. */
    private boolean started;
    /** Set by the receive thread before the request is handed on; read by {@link #cancel} on any thread. */
    private volatile RequestBody body;

    /** Where the call stands; each deadline and each Jetty event moves it on with one compare-and-set. */
    private enum Phase { CONNECTING, SENDING, AWAITING_HEAD, ANSWERED, CONNECT_TIMED_OUT, REQUEST_TIMED_OUT }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.CONNECTING);
    /** The current timed phase, as the forwarder's {@link Deadlines} watch it. */
    private final PhaseDeadline deadline = new PhaseDeadline();

    // Guarded by this: what cancel() must reach.
    private boolean cancelled;
    /** The call, once the destination passed the guard. */
    private Request request;

    private Exchange(Forwarder forwarder, RequestHead head, ResponseSink sink, URI destination) {
        this.forwarder = forwarder;
        this.head = head;
        this.sink = sink;
        this.destination = destination;
    }

    /** Starts an exchange; a URL the agent cannot call is answered 527 at once. */
    static Exchange start(Forwarder forwarder, RequestHead head, ResponseSink sink) {
        URI destination;
        try {
            destination = OutboundRequest.destination(head.url);
        } catch (CannotForwardException e) {
            LOG.log(System.Logger.Level.INFO, "request {0} refused: {1}: {2}", requestId(head), head.method, e.getMessage());
            Exchange refused = new Exchange(forwarder, head, sink, null);
            refused.body = new RequestBody(Forwarder.REQUEST_BODY_BUFFER, WspProtocol.UNKNOWN_LENGTH);
            refused.body.discard();
            refused.started = true;
            refused.sendAgentError(e.getMessage());
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
     * One frame of the request body message; blocks while the body's bytes in flight are at their
     * limit. With an unknown length the call waits for the first frame: a one-frame body then gets
     * an exact length, so a bodiless GET is not sent chunked.
     */
    public void onBodyFrame(ByteBuffer frame, boolean last) throws InterruptedException {
        if (!started) {
            call(last ? frame.remaining() : WspProtocol.UNKNOWN_LENGTH);
        }
        body.write(frame, last);
    }

    /** The connection is gone: abandon the call and unblock everything waiting on it. */
    public void cancel() {
        Request r;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            r = request;
        }
        IOException cause = new IOException("connection to the wsp server closed");
        RequestBody b = body;
        if (b != null) {
            b.fail(cause);
        }
        cancelDeadlines();
        if (r != null) {
            // Closes the connection: the upload and the response stop at once.
            r.abort(cause);
        }
    }

    @Override
    public synchronized boolean cancelled() {
        return cancelled;
    }

    @Override
    public void failed(String reason) {
        LOG.log(System.Logger.Level.INFO, "request {0} failed: {1} {2}: {3}", requestId(head), head.method, safeUrl(), reason);
    }

    /**
     * Checks the destination and resolves its host, then hands the request to Jetty, which sends the
     * body and reads the response at the same time. On the receive thread: handing this to another
     * thread cost a context switch per request and saved nothing, as nothing else waits for it.
     */
    private void call(long contentLength) {
        started = true;
        body = new RequestBody(Forwarder.REQUEST_BODY_BUFFER, contentLength);
        InetAddress address;
        try {
            address = forwarder.guard().admit(Target.of(head.method, head.url, head.header));
        } catch (DestinationRefusedException e) {
            refuse(e.getMessage());
            return;
        } catch (UnknownHostException e) {
            relayFailure(e);
            return;
        }
        boolean bodiless = contentLength == 0 && BODYLESS_METHODS.contains(head.method);
        Request r;
        try {
            r = OutboundRequest.create(forwarder.client(), destination, address, head.method, head.header,
                    bodiless ? null : body.content());
        } catch (IllegalArgumentException e) {
            // Fixed, secret-free texts ("invalid header value", ...).
            body.discard();
            sendAgentError(e.getMessage());
            return;
        }
        if (bodiless) {
            body.discard();
        }
        r.onRequestCommit(committed -> onHeadSent()).onRequestSuccess(sent -> awaitHead());
        synchronized (this) {
            if (cancelled) {
                return;
            }
            request = r;
        }
        watchDeadline(forwarder.connectTimeout());
        r.send(new Listener());
    }

    /** The guard said no: nothing goes out; the body is drained and the caller gets 403. */
    private void refuse(String reason) {
        body.discard();
        LOG.log(System.Logger.Level.WARNING, "request {0} refused by the agent''s rules: {1} {2}: {3}",
                requestId(head), head.method, safeUrl(), reason);
        sendProblem(403, REFUSED_TITLE, REFUSED_DETAIL);
    }

    /**
     * Jetty thread: the request head is on the wire, so connecting (and for https the handshake,
     * which Jetty completes only when it first writes) took no longer than allowed.
     */
    private void onHeadSent() {
        if (phase.compareAndSet(Phase.CONNECTING, Phase.SENDING)) {
            cancelDeadlines();
        }
    }

    /**
     * Jetty thread, once the whole request went out: starts the request timeout, so a long upload
     * is not cut short while the API is still reading it. A head that came earlier (full duplex)
     * already moved the phase on.
     */
    private void awaitHead() {
        Duration timeout = forwarder.requestTimeout();
        if (timeout.isZero() || !phase.compareAndSet(Phase.SENDING, Phase.AWAITING_HEAD)) {
            return;
        }
        watchDeadline(timeout);
        if (phase.get() != Phase.AWAITING_HEAD) {
            cancelDeadlines();
        }
    }

    private void watchDeadline(Duration timeout) {
        deadline.expiresAt = System.nanoTime() + timeout.toNanos();
        forwarder.deadlines().watch(deadline);
    }

    /** Jetty's scheduler: the phase's time is up; the abort fails the call, as its failure reports. */
    private void timedOut() {
        Request r;
        synchronized (this) {
            r = request;
        }
        if (phase.compareAndSet(Phase.CONNECTING, Phase.CONNECT_TIMED_OUT)) {
            r.abort(new HttpConnectTimeoutException("connect timed out"));
        } else if (phase.compareAndSet(Phase.AWAITING_HEAD, Phase.REQUEST_TIMED_OUT)) {
            r.abort(requestTimedOut());
        }
    }

    /** A class of its own, so the deadline's callbacks are not part of the exchange's API. */
    private final class PhaseDeadline implements Deadlines.Deadline {

        /**
         * When the current timed phase runs out ({@link System#nanoTime}): the connect timeout (TCP
         * and TLS, and any wait for a connection) until the request head is sent, then the request
         * timeout from the end of the request until the response head; {@link Long#MAX_VALUE} in
         * between and after.
         */
        volatile long expiresAt = Long.MAX_VALUE;

        @Override
        public long getExpireNanoTime() {
            return expiresAt;
        }

        @Override
        public boolean expire() {
            if (System.nanoTime() - expiresAt < 0) {
                // Read before the phase moved on to a later deadline.
                return false;
            }
            timedOut();
            return true;
        }
    }

    /** Jetty's events for the response; none blocks (see the class comment). */
    private final class Listener implements Response.Listener {

        /** Jetty notifies one response's events one at a time, in order. */
        private boolean relaying;

        @Override
        public void onHeaders(Response response) {
            Phase now = phase.getAndUpdate(p -> p == Phase.CONNECT_TIMED_OUT || p == Phase.REQUEST_TIMED_OUT ? p : Phase.ANSWERED);
            if (now != Phase.CONNECT_TIMED_OUT && now != Phase.REQUEST_TIMED_OUT) {
                cancelDeadlines();
            }
        }

        @Override
        public void onContentSource(Response response, Content.Source source) {
            if (phase.get() != Phase.ANSWERED || cancelled()) {
                // Timed out or cancelled as the head came in: the abort ends the response.
                source.fail(new IOException("exchange abandoned"));
                return;
            }
            relaying = true;
            new ResponseRelay(ResponseHeads.of(response), source, sink, forwarder.relayExecutor(), Exchange.this).start();
        }

        @Override
        public void onComplete(Result result) {
            cancelDeadlines();
            if (relaying) {
                return;
            }
            if (result.isFailed()) {
                relayFailure(result.getFailure());
            } else if (!cancelled()) {
                // A response Jetty completed without a body to read.
                sink.sendHeadAndBody(ResponseHeads.of(result.getResponse()), ByteBuffer.allocate(0));
            }
        }
    }

    private void cancelDeadlines() {
        deadline.expiresAt = Long.MAX_VALUE;
        forwarder.deadlines().unwatch(deadline);
    }

    private static HttpTimeoutException requestTimedOut() {
        return new HttpTimeoutException("request timed out");
    }

    /** The call failed before a response head: answers 527 with the reason. */
    private void relayFailure(Throwable error) {
        // Drain the rest of the body first: the server may not read our answer until it has sent it all.
        body.discard();
        if (cancelled()) {
            return;
        }
        Throwable cause = classify(error);
        String kind = kind(cause);
        String reason = WspProtocol.AGENT_ERROR_REQUEST_TIMEOUT.equals(kind)
                ? "the internal API sent no response head within " + forwarder.requestTimeout().toMillis() + " ms"
                : reason(cause);
        LOG.log(System.Logger.Level.INFO, "request {0} failed: {1} {2}: {3}", requestId(head), head.method, safeUrl(), reason);
        sendAgentError(reason, kind);
    }

    /** What failed, in the terms of the deadline that ended it, if one did. */
    private Throwable classify(Throwable error) {
        return switch (phase.get()) {
            case CONNECT_TIMED_OUT -> new HttpConnectTimeoutException("connect timed out");
            case REQUEST_TIMED_OUT -> requestTimedOut();
            // Jetty's own connect timeout, should it fire first.
            case CONNECTING -> error instanceof SocketTimeoutException ? new HttpConnectTimeoutException("connect timed out") : error;
            default -> error;
        };
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

    private void sendText(int status, String contentType, String text, Map<String, List<String>> headers) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        headers.put("Content-Type", List.of(contentType));
        sink.sendHeadAndBody(new ResponseHead(status, headers, bytes.length), ByteBuffer.wrap(bytes));
    }

    /** Answers an error of the agent's own as problem+json, as the server answers its own. */
    private void sendProblem(int status, String title, String detail) {
        sendText(status, ProblemJson.CONTENT_TYPE, ProblemJson.of(status, title, detail));
    }

    /** The server's X-Request-Id, so agent and server log lines about one request can be matched. */
    private static String requestId(RequestHead head) {
        return Headers.first(head.header, WspProtocol.REQUEST_ID_HEADER).orElse("-");
    }

    /** The URL without its query, which may hold credentials, for logs. */
    private String safeUrl() {
        return destination == null ? "(invalid URL)"
                : destination.getScheme() + "://" + destination.getRawAuthority() + destination.getRawPath();
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
}
