package io.wsp.agent.forward;

import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.ContinueProtocolHandler;
import org.eclipse.jetty.client.EarlyHintsProtocolHandler;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProcessingProtocolHandler;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * Makes the Jetty {@link HttpClient} the agent calls internal APIs with, with everything a proxy
 * must not do turned off here, where the client is made: it follows no redirect, keeps no cookie,
 * answers no 401 or 407 and upgrades nothing of its own (no protocol handlers but those that skip
 * interim responses), decodes no content and adds no header of its own (User-Agent,
 * Accept-Encoding, Content-Type).
 */
final class InternalHttpClient {

    /**
     * Connections open at once to one destination (host, port and checked address). An agent
     * serves at most its pools' size of requests at once (100 per server by default); requests
     * beyond this wait for a connection, which counts against the connect timeout.
     */
    static final int MAX_CONNECTIONS_PER_DESTINATION = 1024;

    /** Idle longer than this and a pooled connection is closed: servers drop idle ones too, often silently. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private InternalHttpClient() {
    }

    /**
     * A started client whose connections go only to addresses the guard checked (see
     * {@link PinnedAddressResolver}), with TLS checked against {@code tls}'s trust and the URL's host
     * name (SNI and certificate).
     */
    static HttpClient start(Duration connectTimeout, SSLContext tls) {
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        ssl.setSslContext(tls);
        ssl.setEndpointIdentificationAlgorithm("HTTPS");

        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("wsp-agent-jetty");
        threads.setDaemon(true);

        HttpClient client = new HttpClient();
        // Every listener and demand callback of ours returns at once (blocking sends run on the
        // forwarder's relay workers): the selector thread may run them itself, without handing
        // each read to a pool thread.
        client.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        client.setExecutor(threads);
        client.setScheduler(new ScheduledExecutorScheduler("wsp-agent-jetty-scheduler", true));
        client.setSslContextFactory(ssl);
        client.setSocketAddressResolver(new PinnedAddressResolver());
        client.setConnectTimeout(connectTimeout.toMillis());
        client.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        // Destinations are per checked address: those a name no longer resolves to are dropped.
        client.setDestinationIdleTimeout(IDLE_TIMEOUT.toMillis());
        client.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_DESTINATION);

        client.setFollowRedirects(false);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.setUserAgentField(null);
        client.setDefaultRequestContentType(null);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client: " + e.getMessage(), e);
        }
        // Only now: starting adds the protocol handlers and, when there are none, every content
        // decoder on the class path. Of the handlers only those that read past an interim response
        // (100, 102, 103) stay: without them Jetty takes a 1xx for the final response and hangs.
        client.getProtocolHandlers().clear();
        client.getProtocolHandlers().put(new ContinueProtocolHandler());
        client.getProtocolHandlers().put(new ProcessingProtocolHandler());
        client.getProtocolHandlers().put(new EarlyHintsProtocolHandler());
        client.getContentDecoderFactories().clear();
        return client;
    }
}
