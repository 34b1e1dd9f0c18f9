package io.cloudportal.lock;

/**
 * A lock this process holds. Release it by closing it, ideally with try-with-resources. Closing
 * is idempotent and never throws because the lock was lost in the meantime.
 */
public interface HeldLock extends AutoCloseable {

    /**
     * The name of the lock.
     *
     * @return the lock name
     */
    String name();

    /**
     * The fencing token of this holding; greater than the token of every earlier holder. Some
     * holdings read it from the server on first use (a ZooKeeper permit's node), so the first call
     * may do I/O and fail as reads do; later calls return the same token.
     *
     * @return the token
     * @throws io.cloudportal.UnavailableException if the token had to be read and the server could not be reached
     */
    FencingToken fencingToken();

    /**
     * Tells whether the lock is still held: false once it was released or lost (session
     * suspended or expired, lease gone).
     *
     * @return true while this process holds the lock
     */
    boolean isHeld();

    /**
     * Throws if the lock is no longer held; call it before work the lock protects.
     *
     * @throws io.cloudportal.LockLostException if the lock was lost or released
     */
    void ensureHeld();

    /**
     * Registers a callback run once when the lock is lost (not when it is released by closing).
     * If the lock is lost already, the callback runs at once.
     *
     * @param onLost called on Portal's listener executor
     */
    void onLost(Runnable onLost);

    /** Releases the lock. */
    @Override
    void close();
}
