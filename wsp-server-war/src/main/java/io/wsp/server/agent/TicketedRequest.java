package io.wsp.server.agent;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * An agent's handshake request as {@link RegistrationFilter} passes it on: {@link
 * HandshakeTickets#HEADER} carries the filter's ticket, and whatever the client sent under that
 * name is gone, so the endpoint can only ever find a handshake the filter checked.
 */
final class TicketedRequest extends HttpServletRequestWrapper {

    private final String ticket;

    TicketedRequest(HttpServletRequest request, String ticket) {
        super(request);
        this.ticket = ticket;
    }

    @Override
    public String getHeader(String name) {
        return isTicket(name) ? ticket : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return isTicket(name) ? Collections.enumeration(List.of(ticket)) : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.removeIf(TicketedRequest::isTicket);
        names.add(HandshakeTickets.HEADER);
        return Collections.enumeration(names);
    }

    private static boolean isTicket(String name) {
        return HandshakeTickets.HEADER.equalsIgnoreCase(name);
    }
}
