package io.wsp.server.proxy;

import io.wsp.protocol.ProblemJson;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Errors wsp itself raises, as RFC 9457 {@code application/problem+json}. */
public final class Problem {

    private Problem() {
    }

    public static void send(HttpServletResponse response, int status, String title, String detail) throws IOException {
        byte[] body = ProblemJson.of(status, title, detail).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(ProblemJson.CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
