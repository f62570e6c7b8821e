package io.wsp.it;

/** Content-Type values as the tests compare them. */
final class MediaTypes {

    private MediaTypes() {
    }

    /**
     * {@code contentType} without the whitespace around each ';', which RFC 9110 (5.6.6) makes
     * optional: WildFly's servlet response rewrites the charset parameter without it.
     */
    static String compact(String contentType) {
        return contentType.replaceAll("\\s*;\\s*", ";");
    }
}
