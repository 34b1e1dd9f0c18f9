package io.cloudportal.coordination;

import java.time.Duration;

/**
 * A named barrier that lives on the server: while it is set, {@link #await} blocks; removing it
 * lets every waiter through. It stays set when the client that set it goes away (remove it
 * explicitly). Obtain one from {@link io.cloudportal.Portal#barrier(String)}.
 *
 * <pre>{@code
 * Barrier maintenance = portal.barrier("maintenance");
 * maintenance.set();                                  // the operator
 * maintenance.await(Duration.ofMinutes(10));          // every worker, before it starts a job
 * maintenance.remove();                               // the operator, when done
 * }</pre>
 */
public interface Barrier {

    /**
     * The barrier's name.
     *
     * @return the name given to {@link io.cloudportal.Portal#barrier(String)}
     */
    String name();

    /**
     * Sets the barrier.
     *
     * @return true if this call set it; false if it was set already
     */
    boolean set();

    /**
     * Removes the barrier, letting every waiter through.
     *
     * @return true if it was set
     */
    boolean remove();

    /**
     * Whether the barrier is set now.
     *
     * @return true while it is set
     */
    boolean isSet();

    /**
     * Waits until the barrier is removed; at once if it is not set. Waits through an outage shorter
     * than the timeout.
     *
     * @param timeout how long to wait at most
     * @return true once it is not set; false if the timeout passed first
     * @throws io.cloudportal.UnavailableException if the server could not be reached when the timeout passed
     * @throws InterruptedException if interrupted while waiting
     */
    boolean await(Duration timeout) throws InterruptedException;
}
