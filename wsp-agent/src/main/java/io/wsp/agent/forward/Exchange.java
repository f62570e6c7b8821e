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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * <p>Threads: {@link #onBodyFrame} is called by the WebSocket receive thread only; the check and
 * the name look-up are done by a worker of the forwarder's client executor, which then hands the
 * request to Jetty; Jetty's threads send it and call the listeners below, which never block; every send to
 * the sink runs on a worker of the forwarder's relay executor; {@link #cancel} and the deadlines
 * may run on any thread.
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
    /** Runs out the connect timeout (TCP and TLS, and any wait for a connection); cancelled once the head is sent. */
    private volatile ScheduledFuture<?> connectDeadline;
    /** Runs out the request timeout; cancelled once the head is in. */
    private volatile ScheduledFuture<?> headDeadline;

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

    private void call(long contentLength) {
        started = true;
        body = new RequestBody(Forwarder.REQUEST_BODY_BUFFER, contentLength);
        try {
            forwarder.clientExecutor().execute(() -> perform(contentLength));
        } catch (RejectedExecutionException shuttingDown) {
            body.discard();
            sink.abort("agent shutting down");
        }
    }

    /**
     * Client worker: checks the destination and resolves its host, then hands the request to Jetty,
     * which sends the body and reads the response at the same time.
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
        boolean bodiless = contentLength == 0 && BODYLESS_METHODS.contains(head.method);
        Request r;
        try {
            r = OutboundRequest.create(forwarder.client(), destination, address, head.method, head.header,
                    bodiless ? null : body.content());
        } catch (IllegalArgumentException e) {
            // Fixed, secret-free texts ("invalid header value", ...).
            body.discard();
            relayAsync(() -> sendAgentError(e.getMessage()));
            return;
        }
        if (bodiless) {
            body.discard();
        }
        r.onRequestCommit(committed -> onHeadSent()).onRequestSuccess(sent -> awaitHead(sent));
        synchronized (this) {
            if (cancelled) {
                return;
            }
            request = r;
        }
        connectDeadline = schedule(forwarder.connectTimeout(), () -> {
            if (phase.compareAndSet(Phase.CONNECTING, Phase.CONNECT_TIMED_OUT)) {
                r.abort(new HttpConnectTimeoutException("connect timed out"));
            }
        });
        r.send(new Listener());
    }

    /** The guard said no: nothing goes out; the body is drained and the caller gets 403. */
    private void refuse(String reason) {
        body.discard();
        LOG.log(System.Logger.Level.WARNING, "request {0} refused by the agent''s rules: {1} {2}: {3}",
                requestId(head), head.method, safeUrl(), reason);
        relayAsync(() -> sendProblem(403, REFUSED_TITLE, REFUSED_DETAIL));
    }

    /**
     * Jetty thread: the request head is on the wire, so connecting (and for https the handshake,
     * which Jetty completes only when it first writes) took no longer than allowed.
     */
    private void onHeadSent() {
        if (phase.compareAndSet(Phase.CONNECTING, Phase.SENDING)) {
            cancel(connectDeadline);
        }
    }

    /**
     * Jetty thread, once the whole request went out: starts the request timeout, so a long upload
     * is not cut short while the API is still reading it. A head that came earlier (full duplex)
     * already moved the phase on.
     */
    private void awaitHead(Request sent) {
        Duration timeout = forwarder.requestTimeout();
        if (timeout.isZero() || !phase.compareAndSet(Phase.SENDING, Phase.AWAITING_HEAD)) {
            return;
        }
        headDeadline = schedule(timeout, () -> {
            if (phase.compareAndSet(Phase.AWAITING_HEAD, Phase.REQUEST_TIMED_OUT)) {
                sent.abort(requestTimedOut());
            }
        });
        if (phase.get() != Phase.AWAITING_HEAD) {
            cancel(headDeadline);
        }
    }

    /** Jetty's events for the response; none blocks: what goes to the sink goes through the relay executor. */
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
            if (relaying) {
                return;
            }
            if (result.isFailed()) {
                Throwable failure = result.getFailure();
                relayAsync(() -> relayFailure(failure));
            } else {
                // A response Jetty completed without a body to read.
                ResponseHead responseHead = ResponseHeads.of(result.getResponse());
                relayAsync(() -> sendHeadOnly(responseHead));
            }
        }
    }

    private void sendHeadOnly(ResponseHead responseHead) {
        if (cancelled()) {
            return;
        }
        try {
            sink.sendHeadAndBody(responseHead, ByteBuffer.allocate(0));
        } catch (IOException e) {
            sink.abort("sending the response failed");
        }
    }

    private ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        try {
            return forwarder.deadlines().schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            return null;
        }
    }

    private void cancelDeadlines() {
        cancel(connectDeadline);
        cancel(headDeadline);
    }

    private static void cancel(ScheduledFuture<?> deadline) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private static HttpTimeoutException requestTimedOut() {
        return new HttpTimeoutException("request timed out");
    }

    private void relayAsync(Runnable task) {
        try {
            forwarder.relayExecutor().execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            body.discard();
            sink.abort("agent shutting down");
        }
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
        try {
            sink.sendHead(new ResponseHead(status, headers, bytes.length));
            sink.sendBody(ByteBuffer.wrap(bytes), true);
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
