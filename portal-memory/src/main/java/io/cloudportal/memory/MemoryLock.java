package io.cloudportal.memory;

import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import java.time.Duration;
import java.util.Optional;

/** A named lock of a memory connection; with more than one permit, the slots of a semaphore. */
final class MemoryLock implements Lock {

    private final MemoryConnection connection;
    private final String key;
    private final String name;
    private final int permits;
    private final boolean exclusive;

    MemoryLock(MemoryConnection connection, String name) {
        this(connection, "lock/" + name, name, 1, false);
    }

    /**
     * A lock on the queue under a key.
     *
     * @param permits how many hold at once (a lock 1, a semaphore N, a read lock unbounded)
     * @param exclusive whether it holds alone (a write lock)
     */
    MemoryLock(MemoryConnection connection, String key, String name, int permits, boolean exclusive) {
        this.connection = connection;
        this.key = key;
        this.name = name;
        this.permits = permits;
        this.exclusive = exclusive;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<HeldLock> tryAcquire(Duration timeout) throws InterruptedException {
        MemoryBackend backend = connection.backend();
        long deadline = System.nanoTime() + timeout.toNanos();
        backend.lock.lockInterruptibly();
        try {
            MemoryLockState.Waiter waiter = backend.locks.enqueue(key, name, permits, exclusive, connection::sessionId);
            try {
                while (waiter.granted == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        backend.locks.abandon(key, waiter);
                        return Optional.empty();
                    }
                    backend.changed.awaitNanos(left);
                }
                return Optional.of(waiter.granted);
            } catch (InterruptedException e) {
                backend.locks.abandon(key, waiter);
                throw e;
            }
        } finally {
            backend.lock.unlock();
        }
    }
}
