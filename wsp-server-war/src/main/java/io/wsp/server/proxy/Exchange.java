package io.wsp.server.proxy;

import io.wsp.protocol.Frames;
import io.wsp.protocol.HeadCodec;
import io.wsp.protocol.Headers;
import io.wsp.protocol.HopByHop;
import io.wsp.protocol.ProtocolException;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.ResponseHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.Timers;
import io.wsp.server.agent.AgentConnection;
import io.wsp.server.agent.ResponseReceiver;
import io.wsp.server.config.ServerSettings;
import io.wsp.server.metrics.RequestOutcome;
import io.wsp.server.registry.AcquireException;
import io.wsp.server.registry.AgentSelector;
import io.wsp.server.registry.AgentRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One proxied request: takes an agent connection, sends the request head and streams the body to
 * the agent, and streams the agent's response back to the caller, both at once (full duplex).
 *
 * <p>Threads: the request side runs on the servlet thread (or a container thread when the
 * connection came from the wait queue); the response side runs on the connection's WebSocket
 * thread, one message at a time. {@link #finished} makes sure the caller's response is ended
 * exactly once, by whichever side gets there first. The connection goes back to the registry
 * only when both the request body was sent and the response body was received.
 */
final class Exchange implements ResponseReceiver, AsyncListener {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Enough of an agent's own error text to explain it to the caller. */
    private static final int MAX_AGENT_ERROR_TEXT = 2048;

    private final AsyncContext async;
    private final HttpServletResponse response;
    private final RequestHead head;
    private final AccessRecord record;
    private final String requestId;
    private final AgentRegistry registry;
    private final HeadCodec codec;
    private final Timers timers;
    private final Duration responseTimeout;
    private final Duration bodyIdleTimeout;
    private final int maxHeaderBytes;
    /** Zero: no limit. */
    private final long maxRequestBodyBytes;
    // Deadlines on the shared timer. Each holds this exchange, so each is cancelled as soon as the
    // exchange ends: a deadline left queued would keep every finished exchange alive until it fires.
    private volatile ScheduledFuture<?> responseDeadline;
    private volatile ScheduledFuture<?> bodyWatch;
    /** When the last response body byte arrived; watched while the body streams. */
    private volatile long lastBodyNanos;

    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile CompletableFuture<AgentConnection> pending;
    private volatile AgentConnection connection;

    /** Guarded by this: which halves of the exchange are done. */
    private boolean requestSent;
    private boolean responseReceived;

    // Response side: written only on the WebSocket thread.
    // Volatile only because a failed send on the request side reads them to pick the caller's error.
    private volatile ResponseHead responseHead;
    private volatile ByteArrayOutputStream agentError;
    private volatile CallerAbort callerAbort;
    // Written by one side each, read by whichever thread ends the exchange.
    private volatile long bodyBytes;
    private volatile long requestBytes;
    /** The status the caller got, once one was chosen; 0 before. */
    private volatile int status;
    /** Why wsp failed or aborted this exchange; null while it did not. */
    private volatile String error;
    private byte[] copyBuffer;

    Exchange(AsyncContext async, RequestHead head, AccessRecord record, AgentRegistry registry, HeadCodec codec,
             Timers timers, ServerSettings settings) {
        this.async = async;
        this.response = (HttpServletResponse) async.getResponse();
        this.head = head;
        this.record = record;
        this.requestId = record.requestId();
        this.registry = registry;
        this.codec = codec;
        this.timers = timers;
        this.responseTimeout = settings.responseTimeout();
        this.bodyIdleTimeout = settings.bodyIdleTimeout();
        this.maxHeaderBytes = settings.maxHeaderBytes();
        this.maxRequestBodyBytes = settings.maxRequestBodyBytes();
    }

    /**
     * Takes a connection of an agent {@code selector} matches and carries the request over it;
     * {@code events} passes the request's async events here from now on.
     */
    void start(Duration acquireTimeout, AgentSelector selector, AsyncEvents events) {
        events.handTo(this);
        CompletableFuture<AgentConnection> acquired = registry.acquire(acquireTimeout, selector);
        pending = acquired;
        if (acquired.isDone()) {
            // The common case: an idle connection was there; stay on this thread.
            onAcquired(acquired);
            return;
        }
        acquired.whenComplete((c, e) -> {
            try {
                async.start(() -> onAcquired(acquired));
            } catch (IllegalStateException callerGone) {
                if (c != null) {
                    registry.release(c);
                }
            }
        });
    }

    private void onAcquired(CompletableFuture<AgentConnection> acquired) {
        AgentConnection c;
        try {
            c = acquired.join();
        } catch (CancellationException e) {
            return;
        } catch (CompletionException e) {
            UnreadBody.discard((HttpServletRequest) async.getRequest());
            AcquireException why = (AcquireException) e.getCause();
            switch (why.reason()) {
                case NO_AGENT -> fail(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "No agent connected", why.getMessage());
                case ALL_BUSY -> {
                    response.setHeader("Retry-After", "1");
                    fail(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "All agent connections busy", why.getMessage());
                }
                case QUEUE_FULL -> {
                    response.setHeader("Retry-After", "1");
                    fail(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Too many requests waiting", why.getMessage());
                }
            }
            return;
        }
        if (finished.get()) {
            registry.release(c);
            return;
        }
        connection = c;
        record.carriedBy(c.agentId());
        c.bind(this);
        try {
            c.sendText(codec.encode(head));
            if (head.contentLength == 0) {
                c.sendBinary(EMPTY, true);
            }
        } catch (IOException | RuntimeException e) {
            abandon(c, "sending the request head failed: " + e.getMessage());
            return;
        }
        sendBody(c);
    }

    /** Streams the caller's body to the agent as one binary message of frames (already sent when empty). */
    private void sendBody(AgentConnection c) {
        try {
            if (head.contentLength != 0) {
                pumpBody(c);
            }
        } catch (BodyTooLargeException e) {
            bodyTooLarge(c);
            return;
        } catch (CallerGoneException e) {
            // The caller may still be listening (a body shorter than announced, a read error):
            // tell it, rather than complete with a blank 200. The half-sent message ends the
            // agent connection either way.
            LOG.log(System.Logger.Level.WARNING, "request {0}: {1}", requestId, e.getMessage());
            fail(HttpServletResponse.SC_BAD_REQUEST, "Request body incomplete", e.getMessage());
            endShortBody(c);
            c.close(WspProtocol.CLOSE_REQUEST_ABORTED, "request body incomplete");
            return;
        } catch (IOException | RuntimeException e) {
            abandon(c, "sending the request body failed: " + e.getMessage());
            return;
        }
        if (markRequestSent()) {
            handBack(c);
        } else if (responseHead == null) {
            // Like Go's ResponseHeaderTimeout: counted once the request is fully sent, so a long
            // upload is not cut short while the agent is still receiving it.
            responseDeadline = timers.schedule(() -> responseHeadTimedOut(c), responseTimeout);
            if (responseHead != null) {
                responseDeadline.cancel(false);
            }
        }
    }

    /**
     * Ends a body of known length that stopped short, before the close that follows: Undertow
     * (WildFly) sends no close frame while a message it is sending is unfinished, so the agent
     * would wait for the rest until the connection times out. The agent fails a body shorter than
     * its Content-Length, so the internal API never sees it complete. A body of unknown length is
     * not ended: there a short end would look whole.
     */
    private void endShortBody(AgentConnection c) {
        if (head.contentLength > 0) {
            try {
                c.sendBinary(EMPTY, true);
            } catch (IOException | RuntimeException e) {
                // The connection is broken already; the close that follows ends it either way.
                LOG.log(System.Logger.Level.DEBUG, "request {0}: ending the short body failed: {1}", requestId, e.toString());
            }
        }
    }

    /**
     * A body of unknown length passed {@code wsp.maxRequestBodyBytes} after part of it went to the
     * agent. Closing the connection makes the agent abandon the internal call. The caller gets 413
     * once the rest of its body is read (up to a bound), because clients that send the whole body
     * before reading the response (java.net.http does) would otherwise see a reset, not the answer.
     */
    private void bodyTooLarge(AgentConnection c) {
        LOG.log(System.Logger.Level.WARNING, "request {0}: {1}: request body over {2} bytes: refused", requestId, c,
                String.valueOf(maxRequestBodyBytes));
        cancelDeadlines();
        // Claimed before the close, whose connection-lost event would otherwise answer 502.
        boolean answer = finished.compareAndSet(false, true);
        c.close(WspProtocol.CLOSE_REQUEST_ABORTED, "request body too large");
        if (!answer) {
            return;
        }
        if (response.isCommitted()) {
            abortCaller();
            return;
        }
        HttpServletRequest request = (HttpServletRequest) async.getRequest();
        boolean bodyEnded = UnreadBody.drain(request);
        discardAgentHead();
        if (!bodyEnded && request.getProtocol().startsWith("HTTP/1")) {
            response.setHeader("Connection", "close");
        }
        sendProblem(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, RequestBodyLimit.TITLE,
                RequestBodyLimit.detail(maxRequestBodyBytes));
    }

    /**
     * Checks, once per idle period, that the response body is still moving: an internal API that
     * stops mid-body would otherwise hold the caller and the agent connection for good.
     */
    private void watchBody(AgentConnection c, Duration wait) {
        bodyWatch = timers.schedule(() -> {
            if (finished.get() || isResponseReceived()) {
                return;
            }
            long idle = System.nanoTime() - lastBodyNanos;
            if (idle < bodyIdleTimeout.toNanos()) {
                watchBody(c, bodyIdleTimeout.minusNanos(idle));
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "request {0}: {1}: response body idle for {2} ms: aborted", requestId, c,
                    String.valueOf(idle / 1_000_000));
            if (finished.compareAndSet(false, true)) {
                error = "response body idle for " + idle / 1_000_000 + " ms: aborted";
                abortCaller();
            }
            c.close(WspProtocol.CLOSE_REQUEST_ABORTED, "response body idle timeout");
        }, wait);
        if (finished.get() || isResponseReceived()) {
            bodyWatch.cancel(false);
        }
    }

    /** Drops this exchange's pending deadlines; called on every way an exchange ends. */
    private void cancelDeadlines() {
        for (ScheduledFuture<?> deadline : new ScheduledFuture<?>[] {responseDeadline, bodyWatch}) {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    private void responseHeadTimedOut(AgentConnection c) {
        if (responseHead != null || finished.get()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "request {0}: {1}: no response head for {2} {3} within {4} ms", requestId, c,
                head.method, record.destination(), String.valueOf(responseTimeout.toMillis()));
        fail(HttpServletResponse.SC_GATEWAY_TIMEOUT, "Agent response timeout",
                "the agent sent no response head within " + responseTimeout.toMillis() + " ms");
        // The agent may still answer later; that answer would land on the next request. Close it.
        c.close(WspProtocol.CLOSE_REQUEST_ABORTED, "response timeout");
    }

    private void pumpBody(AgentConnection c) throws IOException {
        ServletInputStream in = async.getRequest().getInputStream();
        // Sized to a small body of known length: allocations per request feed the collector.
        byte[] buffer = new byte[head.contentLength > 0 && head.contentLength < WspProtocol.BODY_FRAME_SIZE
                ? (int) head.contentLength : WspProtocol.BODY_FRAME_SIZE];
        long remaining = head.contentLength;
        long sent = 0;
        while (true) {
            int n;
            IOException readFailure = null;
            try {
                n = in.read(buffer);
                if (n > 0) {
                    n += Frames.fillAvailable(in, buffer, n);
                }
            } catch (IOException e) {
                n = -2;
                readFailure = e;
            }
            if (n == -1 && remaining <= 0) {
                c.sendBinary(EMPTY, true);
                return;
            }
            if (n < 0) {
                if (isResponseReceived()) {
                    // The agent answered before taking the whole body; end the message to stay in sync.
                    c.sendBinary(EMPTY, true);
                    return;
                }
                throw new CallerGoneException(readFailure == null
                        ? "the request body ended before its announced length"
                        : "reading the request body failed: " + readFailure.getMessage());
            }
            sent += n;
            if (maxRequestBodyBytes > 0 && sent > maxRequestBodyBytes) {
                throw new BodyTooLargeException();
            }
            if (remaining > 0) {
                remaining -= n;
            }
            c.sendBinary(ByteBuffer.wrap(buffer, 0, n), remaining == 0);
            requestBytes += n;
            if (remaining == 0) {
                return;
            }
        }
    }

    @Override
    public void onResponseHead(String json) {
        if (responseHead != null) {
            agentBrokeProtocol("second response head for one request");
            return;
        }
        ScheduledFuture<?> deadline = responseDeadline;
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (json.length() > maxHeaderBytes) {
            agentBrokeProtocol("response head larger than " + maxHeaderBytes + " bytes");
            return;
        }
        ResponseHead decoded;
        try {
            decoded = codec.decodeResponse(json);
        } catch (ProtocolException e) {
            agentBrokeProtocol(e.getMessage());
            return;
        }
        responseHead = decoded;
        if (responseHead.statusCode == WspProtocol.AGENT_ERROR_STATUS) {
            agentError = new ByteArrayOutputStream();
            return;
        }
        if (finished.get()) {
            return;
        }
        // Not on a response without content: there is nothing to cut short. Over HTTP/2 Grizzly
        // sends such a head with END_STREAM, and finishing the stream with trailers after it then
        // fails and drops the caller's whole connection (a third of 204s and 304s, JDK client).
        callerAbort = bodyless() ? null : CallerAbort.arm(response);
        lastBodyNanos = System.nanoTime();
        watchBody(connection, bodyIdleTimeout);
        status = responseHead.statusCode;
        if (responseHead.contentLength < 0 || responseHead.contentLength > WspProtocol.BODY_FRAME_SIZE / 4) {
            // A full body frame goes out in one write, not in the container's default pieces.
            response.setBufferSize(WspProtocol.BODY_FRAME_SIZE);
        }
        response.setStatus(responseHead.statusCode);
        copyHeaders(responseHead.header);
        if (responseHead.contentLength >= 0) {
            // RFC 9110: never on a 204 or 1xx; on a 304 it would describe the cached body, not 0.
            if (!noBodyByStatus(responseHead.statusCode)) {
                response.setContentLengthLong(responseHead.contentLength);
            }
        } else if (!bodyless()) {
            // A head without content flushed before the end is the same END_STREAM trap as above.
            try {
                // Unknown length usually means a stream: let the caller see the head now.
                response.flushBuffer();
            } catch (IOException e) {
                callerGone("caller went away: " + e.getMessage());
            }
        }
    }

    @Override
    public void onResponseBody(ByteBuffer frame, boolean last) {
        if (responseHead == null) {
            agentBrokeProtocol("response body before the response head");
            return;
        }
        if (agentError != null) {
            collectAgentError(frame, last);
        } else if (!finished.get()) {
            writeToCaller(frame, last);
        }
        if (last) {
            if (agentError == null && finished.compareAndSet(false, true)) {
                end();
                async.complete();
            }
            boolean bothDone = markResponseReceived();
            // After the flags: a body watch re-armed concurrently sees them and cancels itself.
            cancelDeadlines();
            if (bothDone) {
                handBack(connection);
            }
        }
    }

    private void writeToCaller(ByteBuffer frame, boolean last) {
        lastBodyNanos = System.nanoTime();
        int n = frame.remaining();
        bodyBytes += n;
        try {
            ServletOutputStream out = response.getOutputStream();
            if (frame.hasArray()) {
                out.write(frame.array(), frame.arrayOffset() + frame.position(), n);
            } else {
                if (copyBuffer == null || copyBuffer.length < n) {
                    copyBuffer = new byte[Math.max(n, WspProtocol.BODY_FRAME_SIZE)];
                }
                frame.get(copyBuffer, 0, n);
                out.write(copyBuffer, 0, n);
            }
            if (!last) {
                // Each frame is flushed as it arrives: the WebSocket API tells nothing of data
                // still to come, so a frame's end is the only sign the agent's source paused. The
                // agent sends what its source has ready, up to BODY_FRAME_SIZE: a bulk body comes
                // in full frames, each one write of the response buffer (sized to a frame), the
                // write a full buffer would cause anyway; a short frame means the source paused,
                // as a stream (server-sent events) does between events, which must reach the
                // caller now. The last frame is flushed by completing the response.
                out.flush();
            } else if (lengthMismatch()) {
                LOG.log(System.Logger.Level.WARNING, "request {0}: {1} sent {2} body bytes for Content-Length {3}",
                        requestId, connection, String.valueOf(bodyBytes), String.valueOf(responseHead.contentLength));
                error = "the agent sent " + bodyBytes + " body bytes for Content-Length " + responseHead.contentLength;
                abortCaller();
            }
        } catch (IOException e) {
            callerGone("caller went away during the response: " + e.getMessage());
        }
    }

    private boolean lengthMismatch() {
        return !bodyless() && responseHead.contentLength >= 0 && bodyBytes != responseHead.contentLength;
    }

    /** RFC 9110: this response has no content, whatever its head says. */
    private boolean bodyless() {
        return head.method.equals("HEAD") || noBodyByStatus(responseHead.statusCode);
    }

    private static boolean noBodyByStatus(int status) {
        return status == 204 || status == 304 || status < 200;
    }

    private void collectAgentError(ByteBuffer frame, boolean last) {
        int room = MAX_AGENT_ERROR_TEXT - agentError.size();
        if (room > 0) {
            byte[] chunk = new byte[Math.min(room, frame.remaining())];
            frame.get(chunk);
            agentError.write(chunk, 0, chunk.length);
        }
        if (last) {
            String reason = agentError.toString(StandardCharsets.UTF_8).strip();
            String detail = reason.isEmpty() ? "the agent reported an error" : reason;
            String kind = Headers.first(responseHead.header, WspProtocol.AGENT_ERROR_KIND_HEADER).orElse("");
            switch (kind) {
                case WspProtocol.AGENT_ERROR_CONNECT_TIMEOUT ->
                        agentTimedOut("Internal API connect timeout", detail);
                case WspProtocol.AGENT_ERROR_REQUEST_TIMEOUT ->
                        agentTimedOut("Internal API response timeout", detail);
                default -> fail(HttpServletResponse.SC_BAD_GATEWAY, "Agent could not perform the request", detail);
            }
        }
    }

    /** The agent gave up on the internal API: its connection stays good, only this request failed. */
    private void agentTimedOut(String title, String detail) {
        LOG.log(System.Logger.Level.WARNING, "request {0}: {1} {2}: {3}: {4}", requestId, head.method, record.destination(),
                title, detail);
        fail(HttpServletResponse.SC_GATEWAY_TIMEOUT, title, detail);
    }

    @Override
    public void onConnectionLost(String reason) {
        cancelDeadlines();
        if (responseHead == null || agentError != null) {
            fail(HttpServletResponse.SC_BAD_GATEWAY, "Agent connection lost",
                    "the agent connection ended before the response head (" + reason + ")");
        } else if (finished.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "request {0}: agent connection lost during the response body of {1} {2}: {3}",
                    requestId, head.method, record.destination(), reason);
            error = "agent connection lost during the response body: " + reason;
            abortCaller();
        }
    }

    private void copyHeaders(Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> h : HopByHop.endToEnd(headers).entrySet()) {
            String name = h.getKey();
            // The request id was set when the request came in; the API's copy would only repeat it.
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase(RequestId.HEADER)) {
                continue;
            }
            for (String value : h.getValue()) {
                response.addHeader(name, value);
            }
        }
    }

    /** Ends the caller's response with a wsp error, unless it was already ended. */
    private void fail(int status, String title, String detail) {
        cancelDeadlines();
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        error = title + ": " + detail;
        if (response.isCommitted()) {
            abortCaller();
            return;
        }
        discardAgentHead();
        sendProblem(status, title, detail);
    }

    /** The agent's status and headers may be set on the response, not yet sent: none belongs on wsp's error. */
    private void discardAgentHead() {
        if (callerAbort != null) {
            response.reset();
            response.setHeader(RequestId.HEADER, requestId);
        }
    }

    private void sendProblem(int status, String title, String detail) {
        this.status = status;
        try {
            Problem.send(response, status, title, detail);
            // Now, not at complete(): that waits for the request thread, which may be blocked
            // reading a body the caller stopped sending when the agent went away.
            response.flushBuffer();
        } catch (IOException | IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not send {0} to the caller: {1}", status, e.getMessage());
        }
        end();
        completeQuietly();
    }

    /**
     * Ends the caller's response so the caller sees an error rather than a clean but truncated
     * body: the connection is closed before the body is complete.
     */
    private void abortCaller() {
        end();
        if (callerAbort != null) {
            callerAbort.abort(async, timers.executor());
        } else {
            completeQuietly();
        }
    }

    /**
     * The agent sent what the protocol forbids: the caller learns it first (the close that follows
     * would only say "connection lost"), then the connection, no longer in step, is closed.
     */
    private void agentBrokeProtocol(String what) {
        fail(HttpServletResponse.SC_BAD_GATEWAY, "Agent protocol error", what);
        connection.protocolError(what);
    }

    /** The request cannot go on over this connection: it may hold half a message, so close it. */
    private void abandon(AgentConnection c, String why) {
        LOG.log(System.Logger.Level.WARNING, "request {0}: {1}: {2}", requestId, c, why);
        c.close(WspProtocol.CLOSE_REQUEST_ABORTED, "request abandoned");
        onConnectionLost(why);
    }

    private void callerGone(String why) {
        cancelDeadlines();
        LOG.log(System.Logger.Level.DEBUG, "request {0}: {1} {2}: {3}", requestId, head.method, record.destination(), why);
        if (finished.compareAndSet(false, true)) {
            end();
            completeQuietly();
        }
        CompletableFuture<AgentConnection> p = pending;
        if (p != null) {
            p.cancel(false);
        }
        AgentConnection c = connection;
        if (c != null) {
            // Closing tells the agent to abort the internal call.
            c.close(WspProtocol.CLOSE_REQUEST_ABORTED, "caller went away");
        }
    }

    /** Counts and logs this exchange with what it knows now; only the first call counts. */
    private void end() {
        record.end(status == 0 ? RequestOutcome.CALLER_GONE : status, requestBytes, bodyBytes, error);
    }

    private void completeQuietly() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "response already completed: {0}", e.getMessage());
        }
    }

    private void handBack(AgentConnection c) {
        c.unbind();
        registry.release(c);
    }

    private synchronized boolean markRequestSent() {
        requestSent = true;
        return responseReceived;
    }

    private synchronized boolean markResponseReceived() {
        responseReceived = true;
        return requestSent;
    }

    private synchronized boolean isResponseReceived() {
        return responseReceived;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // Every way the exchange ends has counted it already; this is the net for a path that did
        // not, so no request stays in flight for good. The connection follows the message flow.
        end();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        callerGone("container async timeout");
    }

    @Override
    public void onError(AsyncEvent event) {
        callerGone("caller connection error: " + event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }

    /** The caller's body passed {@code wsp.maxRequestBodyBytes}. */
    private static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException() {
            super("request body too large");
        }
    }

    /** The caller's body stopped mid-way; distinct so it is not taken for an agent fault. */
    private static final class CallerGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        CallerGoneException(String message) {
            super(message);
        }
    }
}
