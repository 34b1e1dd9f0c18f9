package io.cloudportal.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * A named mutual-exclusion lock shared by every process connected to the same backend and
 * namespace. Obtain one from {@link io.cloudportal.Portal#lock(String)}. Not reentrant: every
 * acquire is a separate contender, also within one process.
 *
 * <pre>{@code
 * try (HeldLock held = portal.lock("orders").acquire(Duration.ofSeconds(10))) {
 *     store.write(data, held.fencingToken());
 * }
 * }</pre>
 */
public interface Lock {

    /**
     * The lock's name.
     *
     * @return the name
     */
    String name();

    /**
     * Waits until the lock is acquired or the timeout passes.
     *
     * @param timeout how long to wait at most; must be positive
     * @return the held lock
     * @throws io.cloudportal.PortalTimeoutException if the lock was not acquired in time
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached
     * @throws InterruptedException if the thread was interrupted while waiting (nothing is left held)
     */
    default HeldLock acquire(Duration timeout) throws InterruptedException {
        return tryAcquire(timeout).orElseThrow(() -> new io.cloudportal.PortalTimeoutException("lock '" + name()
                + "' was not acquired within " + timeout + ": another holder kept it"));
    }

    /**
     * Tries to acquire the lock within the timeout.
     *
     * @param timeout how long to wait at most; zero tries once
     * @return the held lock, or empty if another holder kept it for the whole timeout
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached
     * @throws InterruptedException if the thread was interrupted while waiting (nothing is left held)
     */
    Optional<HeldLock> tryAcquire(Duration timeout) throws InterruptedException;
}
