package io.cloudportal.spi;

import java.time.Duration;

/**
 * A driver's storage of one count-down latch: the count, and the identities of the count-downs
 * applied since it was set, written in the same atomic step as each decrement so that a
 * count-down asked again after a lost answer is recognised. The portable layer makes the
 * identities and asks again; a driver only has to make each call atomic.
 */
public interface LatchCell {

    /** What a count-down did. */
    enum CountDown {
        /** The count went down by one. */
        APPLIED,
        /** This identity had counted down already (an earlier try whose answer was lost). */
        APPLIED_BEFORE,
        /** The count was zero; nothing changed. */
        AT_ZERO
    }

    /**
     * Reads the count.
     *
     * @return the count, 0 if absent
     */
    long count();

    /**
     * Sets the count if it is zero or absent, forgetting the identities of the round before.
     *
     * @param count a validated count
     * @return false if a count above zero is running
     */
    boolean trySetCount(long count);

    /**
     * Counts down once for {@code identity}, atomically with recording it.
     *
     * @param identity unique per count-down call, the same on every try of that call
     * @param again true when an earlier try's answer was lost: look for the identity first
     * @return what happened
     * @throws io.cloudportal.UnavailableException if the answer was not received (the portable layer asks again)
     */
    CountDown countDown(String identity, boolean again);

    /**
     * Waits until the count is zero or absent.
     *
     * @param timeout the longest wait
     * @return true at zero, false on timeout
     * @throws InterruptedException if interrupted
     */
    boolean awaitZero(Duration timeout) throws InterruptedException;

    /**
     * Deletes the latch and the identities.
     *
     * @return true if it existed
     */
    boolean delete();
}
