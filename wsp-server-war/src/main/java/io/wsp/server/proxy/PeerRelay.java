package io.wsp.server.proxy;

import io.wsp.protocol.HopByHop;
import io.wsp.protocol.RequestHead;
import io.wsp.protocol.WspProtocol;
import io.wsp.server.cluster.PeerClient;
import io.wsp.server.cluster.PeerHeaders;
import io.wsp.server.metrics.RequestOutcome;
import io.wsp.server.registry.PeerNode;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.OutputStreamRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;

/**
 * One request forwarded to the node of the cluster that holds a suitable agent connection, over
 * that node's internal endpoint: the caller's body streams to it on the servlet thread while its
 * response streams back on a relay thread, both at once and in constant memory (Jetty demands
 * the next piece of the response only once the previous one was written to the caller).
 *
 * <p>The other node answers as it would answer the caller, wsp's own errors included, so its
 * status, headers and body are passed on as they come. Only a failure between the two nodes is
 * this node's to report: 502 before the response head, an aborted response after it.
 */
final class PeerRelay implements AsyncListener {

    private static final System.Logger LOG = System.getLogger(PeerRelay.class.getName());
    private static final int BUFFER = WspProtocol.BODY_FRAME_SIZE;
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final AsyncContext async;
    private final HttpServletResponse response;
    private final RequestHead head;
    private final AccessRecord record;
    private final Executor executor;
    private final PeerClient client;
    /** Carries the request again elsewhere; null when it may not be (it has a body, or was retried already). */
    private final Runnable retry;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final InputStreamResponseListener listener = new InputStreamResponseListener();
    private volatile Request request;
    private volatile CallerAbort callerAbort;
    private volatile long requestBytes;
    private volatile long bodyBytes;
    // Guarded by this. Whether the caller's body was read to its end (at once when it has none),
    // and found empty; a failure before the response head that waits for that to decide on a retry.
    private boolean bodyRead;
    private boolean bodyEmpty;
    private Runnable undecided;

    PeerRelay(AsyncContext async, RequestHead head, AccessRecord record, Executor executor, PeerClient client,
              Runnable retry) {
        this.async = async;
        this.client = client;
        this.retry = retry;
        this.bodyRead = head.contentLength == 0;
        this.bodyEmpty = bodyRead;
        this.response = (HttpServletResponse) async.getResponse();
        this.head = head;
        this.record = record;
        this.executor = executor;
    }

    /**
     * Sends the request to {@code peer} with the head's headers (the caller's, as the agent would
     * get them) plus {@code routing}, wsp's own (destination, agent, selector), and {@code caller},
     * the name the caller authenticated as; {@code events} passes the request's async events here
     * from now on.
     */
    void start(PeerNode peer, Map<String, String> routing, String caller, AsyncEvents events) {
        events.handTo(this);
        Request r = client.newRequest(peer).method(head.method).headers(h -> {
            for (Map.Entry<String, List<String>> e : head.header.entrySet()) {
                for (String value : e.getValue()) {
                    h.add(e.getKey(), value);
                }
            }
            routing.forEach(h::put);
            h.put(PeerHeaders.CALLER, caller);
            if (head.contentLength >= 0) {
                h.put("Content-Length", String.valueOf(head.contentLength));
            }
        });
        OutputStreamRequestContent content = head.contentLength == 0 ? null : new OutputStreamRequestContent(null);
        if (content != null) {
            r.body(content);
        }
        request = r;
        LOG.log(System.Logger.Level.DEBUG, "request {0}: forwarded to node {1}", record.requestId(), peer.id());
        r.send(listener);
        // Not on a container thread: a stream may hold its relay for hours.
        client.relayExecutor().execute(() -> relayResponse(peer));
        if (content != null) {
            sendBody(content.getOutputStream());
        }
    }

    private void sendBody(OutputStream out) {
        byte[] buffer = new byte[(int) Math.min(BUFFER, head.contentLength > 0 ? head.contentLength : BUFFER)];
        boolean ended = false;
        try {
            ServletInputStream in = async.getRequest().getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                requestBytes += n;
            }
            ended = true;
            out.close();
        } catch (IOException e) {
            // Either side: the node failed (the response side reports it) or the caller stopped
            // sending (the node then sees a short body and answers so, or is aborted here).
            request.abort(e);
        } finally {
            Runnable decide;
            synchronized (this) {
                bodyRead = true;
                bodyEmpty = ended && requestBytes == 0;
                decide = undecided;
                undecided = null;
            }
            if (decide != null) {
                decide.run();
            }
        }
    }

    private void relayResponse(PeerNode peer) {
        Response peerResponse;
        try {
            peerResponse = listener.get(Long.MAX_VALUE, TimeUnit.DAYS);
        } catch (ExecutionException e) {
            fail(peer, e.getCause());
            return;
        } catch (InterruptedException | TimeoutException e) {
            fail(peer, e);
            return;
        }
        int status = peerResponse.getStatus();
        boolean bodyless = head.method.equals("HEAD") || status == 204 || status == 304 || status < 200;
        response.setStatus(status);
        for (HttpField field : peerResponse.getHeaders()) {
            if (passedOn(field.getName())) {
                response.addHeader(field.getName(), field.getValue());
            }
        }
        long length = peerResponse.getHeaders().getLongField("Content-Length");
        if (length >= 0 && !(status == 204 || status == 304 || status < 200)) {
            // A HEAD's too: it describes the body a GET would get.
            response.setContentLengthLong(length);
        }
        if (!bodyless) {
            callerAbort = CallerAbort.arm(response);
        }
        try (InputStream in = listener.getInputStream()) {
            ServletOutputStream out = response.getOutputStream();
            if (length < 0 && !bodyless) {
                // Unknown length usually means a stream: let the caller see the head now.
                out.flush();
            }
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = readQuietly(in, buffer)) >= 0) {
                out.write(buffer, 0, n);
                bodyBytes += n;
                if (in.available() == 0) {
                    // The node paused (an event stream between events): the caller gets what came.
                    out.flush();
                }
            }
            if (finished.compareAndSet(false, true)) {
                record.end(status, requestBytes, bodyBytes, null);
                async.complete();
            }
        } catch (PeerFailedException e) {
            abort(peer, status, e.getCause());
        } catch (IOException | IllegalStateException e) {
            callerGone(e);
        }
    }

    /** A read failure is the other node's (or the link's); told apart from a write failure, which is the caller's. */
    private static int readQuietly(InputStream in, byte[] buffer) throws PeerFailedException {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw new PeerFailedException(e);
        }
    }

    /** Headers the caller gets: end to end, minus the length (set from the node's) and the id (already set). */
    private static boolean passedOn(String name) {
        return !name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase(RequestId.HEADER)
                && !HopByHop.isHopByHop(name);
    }

    private void fail(PeerNode peer, Throwable cause) {
        if (connectFailure(cause)) {
            client.unreachable(peer);
        }
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        String reason = reason(cause);
        // The node either never got the request or its method may be repeated (RFC 9110, 9.2.2).
        if (retry != null && (connectFailure(cause) || IDEMPOTENT.contains(head.method))) {
            synchronized (this) {
                if (!bodyRead) {
                    // A body of unknown length (HTTP/2) may still turn out empty: decided at its end.
                    undecided = () -> retryOrReport(peer, reason);
                    return;
                }
            }
            retryOrReport(peer, reason);
            return;
        }
        report(peer, reason);
    }

    /** Carries the request again when nothing of the caller's was consumed: it had no body. */
    private void retryOrReport(PeerNode peer, String reason) {
        boolean empty;
        synchronized (this) {
            empty = bodyEmpty;
        }
        if (!empty) {
            report(peer, reason);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "request {0}: node {1} failed before answering ({2}): carried again",
                record.requestId(), peer.id(), reason);
        retry.run();
    }

    /** Tells the caller the forwarding failed: 502, as nothing of the response was sent yet. */
    private void report(PeerNode peer, String reason) {
        LOG.log(System.Logger.Level.WARNING, "request {0}: forwarding to node {1} at {2} failed: {3}", record.requestId(),
                peer.id(), peer.url(), reason);
        String error = "Cluster node unreachable: node " + peer.id() + ": " + reason;
        try {
            Problem.send(response, HttpServletResponse.SC_BAD_GATEWAY, "Cluster node unreachable",
                    "the request was forwarded to node " + peer.id() + ", which holds the agent, and failed there: " + reason);
            response.flushBuffer();
        } catch (IOException | IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not send 502 to the caller: {0}", e.getMessage());
        }
        record.end(HttpServletResponse.SC_BAD_GATEWAY, requestBytes, 0, error);
        completeQuietly();
    }

    /** The node failed after its response head: the caller sees a broken transfer, never a clean short one. */
    private void abort(PeerNode peer, int status, Throwable cause) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        String reason = reason(cause);
        LOG.log(System.Logger.Level.WARNING, "request {0}: node {1} failed during the response body: {2}",
                record.requestId(), peer.id(), reason);
        record.end(status, requestBytes, bodyBytes, "cluster node " + peer.id() + " failed during the response body: " + reason);
        if (callerAbort != null) {
            callerAbort.abort(async, executor);
        } else {
            completeQuietly();
        }
    }

    private void callerGone(Exception e) {
        if (finished.get()) {
            // Ended, or carried again by another relay or exchange, which handles its caller itself.
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "request {0}: caller went away: {1}", record.requestId(), e.toString());
        Request r = request;
        if (r != null) {
            // The node sees its caller go and tells its agent to abort the internal call.
            r.abort(e);
        }
        if (finished.compareAndSet(false, true)) {
            record.end(RequestOutcome.CALLER_GONE, requestBytes, bodyBytes, null);
            completeQuietly();
        }
    }

    /** Refused or timed out before a connection existed: the node is down or cut off, not just this request. */
    private static boolean connectFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof SocketTimeoutException || c instanceof NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable t) {
        return t == null ? "unknown" : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void completeQuietly() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "response already completed: {0}", e.getMessage());
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        record.end(RequestOutcome.CALLER_GONE, requestBytes, bodyBytes, null);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        callerGone(new IOException("container async timeout"));
    }

    @Override
    public void onError(AsyncEvent event) {
        callerGone(new IOException("caller connection error: " + event.getThrowable()));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }

    /** Reading the other node's response failed. */
    private static final class PeerFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        PeerFailedException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
