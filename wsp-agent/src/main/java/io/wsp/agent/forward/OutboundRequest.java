package io.wsp.agent.forward;

import java.net.URI;
import java.util.Locale;

/** Checks that a request head's URL is one the agent can call at all, before any rule. */
final class OutboundRequest {

    private OutboundRequest() {
    }

    /** The destination URI; only absolute http and https URLs with a host and no user info are allowed. */
    static URI destination(String url) throws CannotForwardException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new CannotForwardException("invalid destination URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new CannotForwardException("destination URL must be http or https");
        }
        if (uri.getHost() == null) {
            throw new CannotForwardException("destination URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            // The server refuses these too; a server that did not (the Go one) must not make us send them.
            throw new CannotForwardException("destination URL must not contain user info");
        }
        return uri;
    }
}
