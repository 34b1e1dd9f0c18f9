package io.cloudportal.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * A named counting semaphore shared by every process connected to the same backend and
 * namespace: at most {@link #permits()} holders at once. Obtain one from
 * {@link io.cloudportal.Portal#semaphore(String, int)}. A permit is a {@link HeldLock}: it has a
 * fencing token, is lost with its session, and can guard a write
 * ({@link io.cloudportal.kv.KvTransaction#guardedBy(HeldLock)}). On ZooKeeper the token is read
 * from the server the first time it is asked for.
 *
 * <pre>{@code
 * Semaphore slots = portal.semaphore("exports", 2);
 * try (HeldLock permit = slots.acquire(Duration.ofSeconds(30))) {
 *     runExport(permit.fencingToken());
 * }
 * }</pre>
 *
 * <p>Every client decides whether it may hold against the number of permits it was given, as
 * Curator's {@code InterProcessSemaphoreV2} does: give all clients of one semaphore the same
 * number. One connection refuses a second number for a name it already uses.
 */
public interface Semaphore {

    /** The most permits a semaphore may have. */
    int MAX_PERMITS = 1024;

    /**
     * The semaphore's name.
     *
     * @return the name
     */
    String name();

    /**
     * How many holders the semaphore admits at once.
     *
     * @return the number of permits, 1 to {@link #MAX_PERMITS}
     */
    int permits();

    /**
     * Waits until a permit is acquired or the timeout passes.
     *
     * @param timeout how long to wait at most; must be positive
     * @return the held permit
     * @throws io.cloudportal.PortalTimeoutException if no permit became free in time
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached
     * @throws InterruptedException if the thread was interrupted while waiting (nothing is left held)
     */
    default HeldLock acquire(Duration timeout) throws InterruptedException {
        return tryAcquire(timeout).orElseThrow(() -> new io.cloudportal.PortalTimeoutException("semaphore '" + name()
                + "' had no free permit of " + permits() + " within " + timeout));
    }

    /**
     * Tries to acquire a permit within the timeout.
     *
     * @param timeout how long to wait at most; zero tries once
     * @return the held permit, or empty if all permits stayed held for the whole timeout
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached
     * @throws InterruptedException if the thread was interrupted while waiting (nothing is left held)
     */
    Optional<HeldLock> tryAcquire(Duration timeout) throws InterruptedException;
}
