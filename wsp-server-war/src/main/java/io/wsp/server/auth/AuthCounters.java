package io.wsp.server.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/** Refusals since start, for {@code /status}: a rising count is someone guessing or a key gone stale. */
@ApplicationScoped
public class AuthCounters {

    private final AtomicLong refusedRegistrations = new AtomicLong();
    private final AtomicLong unauthenticatedCalls = new AtomicLong();
    private final AtomicLong forbiddenCalls = new AtomicLong();
    private final AtomicLong refusedAdminCalls = new AtomicLong();

    public void registrationRefused() {
        refusedRegistrations.incrementAndGet();
    }

    public void callUnauthenticated() {
        unauthenticatedCalls.incrementAndGet();
    }

    public void callForbidden() {
        forbiddenCalls.incrementAndGet();
    }

    public void adminCallRefused() {
        refusedAdminCalls.incrementAndGet();
    }

    /** Agent handshakes or greetings refused for their key. */
    public long refusedRegistrations() {
        return refusedRegistrations.get();
    }

    /** {@code /request} calls answered 401. */
    public long unauthenticatedCalls() {
        return unauthenticatedCalls.get();
    }

    /** {@code /request} calls answered 403 because the caller's key does not allow them. */
    public long forbiddenCalls() {
        return forbiddenCalls.get();
    }

    /** {@code /status} and {@code /metrics} calls answered 401 for want of the admin key. */
    public long refusedAdminCalls() {
        return refusedAdminCalls.get();
    }
}
