package io.cloudportal.coordination;

import java.time.Duration;

/**
 * A named count-down latch that lives on the server: one client sets a count, others count it down,
 * and any number wait until it reaches zero. The count survives the clients that set it and count
 * it down; it never goes below zero. Obtain one from {@link io.cloudportal.Portal#countDownLatch(String)}.
 *
 * <p>A count-down is applied exactly once: if its answer is lost (a cut connection, a server
 * restart) Portal asks again with the same identity, which the server recognises, until the
 * connection's {@code operationTimeout}; only then does it fail with
 * {@link io.cloudportal.OutcomeUnknownException}.
 *
 * <pre>{@code
 * CountDownLatch loaded = portal.countDownLatch("nightly-load");
 * loaded.trySetCount(5);                        // the coordinator; false if a count is running
 * loaded.countDown();                           // each of five workers, when done
 * loaded.await(Duration.ofMinutes(30));         // the coordinator: true once all five counted down
 * }</pre>
 */
public interface CountDownLatch {

    /** The largest count a latch takes: a latch stands for participants, each remembered until the count is set again. */
    long MAX_COUNT = 10_000;

    /**
     * The latch's name.
     *
     * @return the name given to {@link io.cloudportal.Portal#countDownLatch(String)}
     */
    String name();

    /**
     * Sets the count, if the latch is at zero (or was never set, or was deleted).
     *
     * @param count 1 to {@link #MAX_COUNT}
     * @return true if set; false if a count above zero is running (nothing changed)
     */
    boolean trySetCount(long count);

    /**
     * Reads the count.
     *
     * @return the count now; 0 once counted down, and for a latch never set
     */
    long count();

    /**
     * Counts down by one, if the count is above zero; at zero it does nothing.
     *
     * @throws io.cloudportal.OutcomeUnknownException if the server could not be asked again within the operation timeout
     *         after an answer was lost (the count-down may have been applied, once)
     */
    void countDown();

    /**
     * Waits until the count is zero.
     *
     * @param timeout how long to wait at most
     * @return true if the count is zero (at once for a latch at zero or never set); false if the timeout passed first
     * @throws io.cloudportal.UnavailableException if the server could not be reached when the timeout passed (a waiter
     *         waits through an outage shorter than its timeout)
     * @throws InterruptedException if interrupted while waiting
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * Deletes the latch: its count becomes zero, and waiters return true.
     *
     * @return true if it existed
     */
    boolean delete();
}
