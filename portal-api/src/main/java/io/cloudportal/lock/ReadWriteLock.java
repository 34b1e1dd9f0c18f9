package io.cloudportal.lock;

/**
 * A named read-write lock shared by every process connected to the same backend and namespace:
 * any number of readers hold at once, a writer holds alone. Obtain one from
 * {@link io.cloudportal.Portal#readWriteLock(String)}. Holders queue in arrival order, so a
 * waiting writer is not starved by readers that keep arriving: a reader that comes after it waits
 * for it. Both sides are {@link Lock}s: their holdings carry fencing tokens, are lost with their
 * session and can guard writes. Not reentrant, and a reader does not upgrade to a writer: each
 * acquire is a contender of its own.
 *
 * <pre>{@code
 * ReadWriteLock catalog = portal.readWriteLock("catalog");
 * try (HeldLock reading = catalog.readLock().acquire(Duration.ofSeconds(5))) {
 *     render(load());
 * }
 * try (HeldLock writing = catalog.writeLock().acquire(Duration.ofSeconds(30))) {
 *     rebuild();
 * }
 * }</pre>
 */
public interface ReadWriteLock {

    /**
     * The lock's name.
     *
     * @return the name
     */
    String name();

    /**
     * The shared side: held by many readers at once, never while a writer holds.
     *
     * @return the read lock
     */
    Lock readLock();

    /**
     * The exclusive side: held by one writer while no reader or other writer holds.
     *
     * @return the write lock
     */
    Lock writeLock();
}
