package io.cloudportal.memory;

import io.cloudportal.spi.BarrierCell;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** A barrier of a memory backend: a name in a set, under the backend's lock; waiters wait on its condition. */
final class MemoryBarrier implements BarrierCell {

    /** The barriers set on one backend. Guarded by the backend's lock. */
    static final class State {
        private final Set<String> set = new HashSet<>();
    }

    private final MemoryConnection connection;
    private final String name;

    MemoryBarrier(MemoryConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    private Set<String> barriers() {
        return connection.backend().barriers.set;
    }

    @Override
    public boolean set() {
        return connection.backend().locked(() -> barriers().add(name));
    }

    @Override
    public boolean remove() {
        return connection.backend().locked(() -> {
            boolean removed = barriers().remove(name);
            connection.backend().changed.signalAll();
            return removed;
        });
    }

    @Override
    public boolean isSet() {
        return connection.backend().locked(() -> barriers().contains(name));
    }

    @Override
    public boolean awaitRemoved(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        connection.backend().lock.lock();
        try {
            while (barriers().contains(name)) {
                if (left <= 0) {
                    return false;
                }
                left = connection.backend().changed.awaitNanos(left);
            }
            return true;
        } finally {
            connection.backend().lock.unlock();
        }
    }
}
