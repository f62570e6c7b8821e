package io.wsp.server.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Checks the caller's {@code X-PROXY-DESTINATION}: an absolute http(s) URL with a host. */
final class Destination {

    private Destination() {
    }

    /** Returns the URL to forward to, or throws with a message fit for the caller. */
    static String parse(String header) throws InvalidDestinationException {
        if (header == null || header.isBlank()) {
            throw new InvalidDestinationException("missing X-PROXY-DESTINATION header");
        }
        String value = header.trim();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c == 0x7f) {
                throw new InvalidDestinationException("X-PROXY-DESTINATION contains whitespace or control characters");
            }
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new InvalidDestinationException("X-PROXY-DESTINATION is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidDestinationException("X-PROXY-DESTINATION must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidDestinationException("X-PROXY-DESTINATION has no host");
        }
        if (uri.getRawUserInfo() != null) {
            // Credentials in a URL end up in logs and proxies' histories; use a header instead.
            throw new InvalidDestinationException("X-PROXY-DESTINATION must not contain user info");
        }
        return value;
    }

    static final class InvalidDestinationException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidDestinationException(String message) {
            super(message, null, false, false);
        }
    }
}
