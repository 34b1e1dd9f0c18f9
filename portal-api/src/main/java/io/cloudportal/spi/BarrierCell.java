package io.cloudportal.spi;

import java.time.Duration;

/** A driver's storage of one barrier: a key or node whose presence is the barrier. */
public interface BarrierCell {

    /**
     * Creates the barrier's key or node if absent.
     *
     * @return true if created by this call
     */
    boolean set();

    /**
     * Deletes it.
     *
     * @return true if it existed
     */
    boolean remove();

    /**
     * Whether it exists.
     *
     * @return true if set
     */
    boolean isSet();

    /**
     * Waits until it does not exist. May fail with {@link io.cloudportal.UnavailableException} on an
     * outage; the portable layer waits again for what is left of the timeout.
     *
     * @param timeout the longest wait
     * @return true once absent, false on timeout
     * @throws InterruptedException if interrupted
     */
    boolean awaitRemoved(Duration timeout) throws InterruptedException;
}
