package io.cloudportal.memory;

import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import java.time.Duration;
import java.util.Optional;

/** A named lock of a memory connection. */
final class MemoryLock implements Lock {

    private final MemoryConnection connection;
    private final String name;

    MemoryLock(MemoryConnection connection, String name) {
        this.connection = connection;
        this.name = name;
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
            MemoryLockState.Waiter waiter = backend.locks.enqueue(name, connection::sessionId);
            try {
                while (waiter.granted == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        backend.locks.abandon(name, waiter);
                        return Optional.empty();
                    }
                    backend.changed.awaitNanos(left);
                }
                return Optional.of(waiter.granted);
            } catch (InterruptedException e) {
                backend.locks.abandon(name, waiter);
                throw e;
            }
        } finally {
            backend.lock.unlock();
        }
    }
}
