package io.wsp.agent.forward.http1;

import java.net.URI;
import java.util.Locale;

/** Where a connection goes: the pool key and what the request head and TLS need to know. */
record Route(boolean tls, String host, int port, String hostHeader) {

    static Route of(URI destination) {
        String scheme = destination.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("https");
        if (!tls && !scheme.equals("http")) {
            throw new IllegalArgumentException("destination must be http or https");
        }
        String uriHost = destination.getHost();
        if (uriHost == null || uriHost.isEmpty()) {
            throw new IllegalArgumentException("destination has no host");
        }
        int defaultPort = tls ? 443 : 80;
        int port = destination.getPort() == -1 ? defaultPort : destination.getPort();
        // URI keeps the brackets of an IPv6 literal: right for Host, wrong for resolving.
        String host = uriHost.startsWith("[") && uriHost.endsWith("]")
                ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
        String hostHeader = port == defaultPort ? uriHost : uriHost + ":" + port;
        return new Route(tls, host, port, hostHeader);
    }

    /** Pool key: connections are shared only between requests to the same scheme, host and port. */
    String key() {
        return (tls ? "https://" : "http://") + host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
