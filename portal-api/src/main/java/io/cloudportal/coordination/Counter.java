package io.cloudportal.coordination;

/**
 * A named 64-bit counter that lives on the server, shared by every client of the name; it starts
 * at 0. Obtain one from {@link io.cloudportal.Portal#counter(String)}. Every call is bounded by the
 * connection's {@code operationTimeout}.
 *
 * <p>An update is a compare-and-set on the server, repeated while other clients move the value.
 * When the answer to an update is lost after the request left (a cut connection, a timeout),
 * the update may or may not have been applied: it fails with
 * {@link io.cloudportal.OutcomeUnknownException} and is <em>never retried</em>, so an increment
 * is applied once or not at all, never twice. Read the counter to learn which.
 *
 * <pre>{@code
 * Counter processed = portal.counter("jobs/processed");
 * long now = processed.incrementAndGet();
 * }</pre>
 */
public interface Counter {

    /**
     * The counter's name.
     *
     * @return the name given to {@link io.cloudportal.Portal#counter(String)}
     */
    String name();

    /**
     * Reads the value.
     *
     * @return the value now; 0 for a counter never written
     */
    long get();

    /**
     * Adds one.
     *
     * @return the value after this increment
     * @throws io.cloudportal.OutcomeUnknownException if the answer was lost (the increment may have been applied)
     */
    long incrementAndGet();

    /**
     * Adds {@code delta} (negative to subtract).
     *
     * @param delta the amount to add
     * @return the value after this addition
     * @throws io.cloudportal.InvalidArgumentException if the sum would leave the range of a {@code long} (nothing is written)
     * @throws io.cloudportal.OutcomeUnknownException if the answer was lost (the addition may have been applied)
     */
    long addAndGet(long delta);

    /**
     * Sets the value to {@code update} if it is {@code expected} now.
     *
     * @param expected the value read before
     * @param update the new value
     * @return true if it was {@code expected} and is {@code update} now; false if it was something else (nothing written)
     * @throws io.cloudportal.OutcomeUnknownException if the answer was lost (the update may have been applied)
     */
    boolean compareAndSet(long expected, long update);
}
