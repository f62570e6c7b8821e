package io.wsp.agent.forward.http1;

import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;

/**
 * Where a connection goes: the address it connects to, which the caller checked, and the name the
 * request head and TLS (SNI, certificate) use, so neither is looked up again.
 */
record Route(boolean tls, String host, int port, String hostHeader, InetAddress address) {

    static Route of(URI destination, InetAddress address) {
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
        return new Route(tls, host, port, hostHeader, address);
    }

    /**
     * Pool key: connections are shared only between requests to the same scheme, host, port and
     * address, so a connection opened to an address checked for one request serves no other.
     */
    String key() {
        return (tls ? "https://" : "http://") + host.toLowerCase(Locale.ROOT) + ":" + port + "@" + address.getHostAddress();
    }
}
