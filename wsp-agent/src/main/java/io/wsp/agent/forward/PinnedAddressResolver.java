package io.wsp.agent.forward;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Jetty's name look-up for every connection it opens: it never looks a name up, it answers with the
 * address {@link DestinationGuard} checked for the request that needs the connection. Each request
 * carries that address as its tag, which Jetty makes part of the destination, so connections are
 * pooled per checked address and a pooled connection never serves a request checked for another.
 * A destination without a checked address gets no connection at all. Stateless; thread safe.
 */
final class PinnedAddressResolver implements SocketAddressResolver {

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        Object destination = context == null ? null : context.get(Destination.CONTEXT_KEY);
        Object tag = destination instanceof Destination d ? d.getOrigin().getTag() : null;
        if (!(tag instanceof InetAddress checked)) {
            promise.failed(new UnknownHostException("no checked address"));
            return;
        }
        try {
            // Same address, but carrying the name: TLS sends it as SNI and verifies the certificate for it.
            promise.succeeded(List.of(new InetSocketAddress(InetAddress.getByAddress(host, checked.getAddress()), port)));
        } catch (UnknownHostException impossible) {
            // Only for an address of illegal length, which an InetAddress never has.
            promise.failed(impossible);
        }
    }
}
