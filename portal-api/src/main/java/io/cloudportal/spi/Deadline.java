package io.cloudportal.spi;

import java.time.Duration;

/**
 * The end of a blocking call's timeout, on the monotonic clock, carried through every request
 * the call makes on the way, so that a call given {@code t} returns within {@code t} plus
 * {@link #SLACK} even while the server does not answer (a frozen process, a black-holed network).
 * A request made close to the deadline still gets {@link #REQUEST_FLOOR}, so that
 * {@code tryAcquire(Duration.ZERO)} can reach a server that answers.
 */
public final class Deadline {

    /** What a blocking call may take beyond its timeout: one request's floor, and the work around it. */
    public static final Duration SLACK = Duration.ofSeconds(1);
    /** The least time a request is given, however close the deadline. */
    public static final Duration REQUEST_FLOOR = Duration.ofMillis(500);

    private final long at;

    private Deadline(long at) {
        this.at = at;
    }

    /**
     * The deadline a timeout from now.
     *
     * @param timeout the caller's timeout, not negative
     * @return the deadline
     */
    public static Deadline after(Duration timeout) {
        long nanos = Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        return new Deadline(System.nanoTime() + nanos);
    }

    /**
     * What is left.
     *
     * @return the time until the deadline, zero once it passed
     */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, at - System.nanoTime()));
    }

    /**
     * Tells whether the deadline passed.
     *
     * @return true once it passed
     */
    public boolean passed() {
        return at - System.nanoTime() <= 0;
    }

    /**
     * How long one request on the way may take: what is left, at least {@link #REQUEST_FLOOR},
     * at most the connection's operation timeout.
     *
     * @param operationTimeout the bound of a request that has no deadline of its own
     * @return the bound
     */
    public Duration forRequest(Duration operationTimeout) {
        Duration left = remaining();
        Duration bound = left.compareTo(REQUEST_FLOOR) < 0 ? REQUEST_FLOOR : left;
        return bound.compareTo(operationTimeout) > 0 ? operationTimeout : bound;
    }
}
