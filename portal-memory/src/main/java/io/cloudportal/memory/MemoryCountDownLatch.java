package io.cloudportal.memory;

import io.cloudportal.spi.LatchCell;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A count-down latch of a memory backend, under the backend's lock; waiters wait on its condition. */
final class MemoryCountDownLatch implements LatchCell {

    /** Every latch of one backend, by name. Guarded by the backend's lock. */
    static final class State {
        private final Map<String, Latch> latches = new HashMap<>();
    }

    private static final class Latch {
        private long count;
        private final Set<String> counted = new HashSet<>();
    }

    private final MemoryConnection connection;
    private final String name;

    MemoryCountDownLatch(MemoryConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    private Map<String, Latch> latches() {
        return connection.backend().latches.latches;
    }

    @Override
    public long count() {
        return connection.backend().locked(() -> {
            Latch latch = latches().get(name);
            return latch == null ? 0L : latch.count;
        });
    }

    @Override
    public boolean trySetCount(long count) {
        return connection.backend().locked(() -> {
            Latch latch = latches().computeIfAbsent(name, n -> new Latch());
            if (latch.count > 0) {
                return false;
            }
            latch.count = count;
            latch.counted.clear();
            return true;
        });
    }

    @Override
    public CountDown countDown(String identity, boolean again) {
        return connection.backend().locked(() -> {
            Latch latch = latches().get(name);
            if (latch != null && latch.counted.contains(identity)) {
                return CountDown.APPLIED_BEFORE;
            }
            if (latch == null || latch.count == 0) {
                return CountDown.AT_ZERO;
            }
            latch.count--;
            latch.counted.add(identity);
            connection.backend().changed.signalAll();
            return CountDown.APPLIED;
        });
    }

    @Override
    public boolean awaitZero(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        connection.backend().lock.lock();
        try {
            while (true) {
                Latch latch = latches().get(name);
                if (latch == null || latch.count == 0) {
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
                left = connection.backend().changed.awaitNanos(left);
            }
        } finally {
            connection.backend().lock.unlock();
        }
    }

    @Override
    public boolean delete() {
        return connection.backend().locked(() -> {
            boolean existed = latches().remove(name) != null;
            connection.backend().changed.signalAll();
            return existed;
        });
    }
}
