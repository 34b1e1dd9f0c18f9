package io.cloudportal.memory;

import io.cloudportal.spi.NamedThreads;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state shared by every connection to one {@code memory://name}: a stand-in for the server.
 * Coordination state (registry, locks, elections, KV) is guarded by one lock, as a single
 * ZooKeeper leader serialises writes; messaging state is guarded per topic.
 */
final class MemoryBackend {

    private static final Map<String, MemoryBackend> BACKENDS = new HashMap<>();

    final String name;
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every coordination change; waiters re-check their condition. */
    final Condition changed = lock.newCondition();
    final ScheduledExecutorService timer;
    final MemoryKvState kv = new MemoryKvState(this);
    final MemoryRegistryState registry = new MemoryRegistryState(this);
    final MemoryLockState locks = new MemoryLockState(this);
    final MemoryElectionState elections = new MemoryElectionState(this);
    final MemoryTopics topics = new MemoryTopics(this);
    final MemoryCounter.State counters = new MemoryCounter.State();
    final MemoryCountDownLatch.State latches = new MemoryCountDownLatch.State();
    final MemoryBarrier.State barriers = new MemoryBarrier.State();
    final MemoryDoubleBarrier.State doubleBarriers = new MemoryDoubleBarrier.State();
    /** Open connections, for a restart that interrupts them all. Guarded by {@link #lock}. */
    final java.util.List<MemoryConnection> connected = new java.util.ArrayList<>();
    private long revision;
    private long sessions;
    private int connections;

    private MemoryBackend(String name) {
        this.name = name;
        this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("portal-memory-" + name + "-timer"));
    }

    static MemoryBackend acquire(String name, int retainMessages) {
        synchronized (BACKENDS) {
            MemoryBackend backend = BACKENDS.computeIfAbsent(name, n -> {
                MemoryBackend created = new MemoryBackend(n);
                created.topics.retainMessages(retainMessages);
                return created;
            });
            backend.connections++;
            return backend;
        }
    }

    void release() {
        synchronized (BACKENDS) {
            if (--connections == 0) {
                BACKENDS.remove(name);
                timer.shutdownNow();
            }
        }
    }

    /** The next store-wide revision: versions, fencing tokens and terms all come from it, so each strictly increases. Call under {@link #lock}. */
    long nextRevision() {
        return ++revision;
    }

    /** The latest store-wide revision. Call under {@link #lock}. */
    long revision() {
        return revision;
    }

    long newSessionId() {
        return locked(() -> ++sessions);
    }

    /** Runs an operation under the coordination lock, as the server would serialise it. */
    <T> T locked(java.util.function.Supplier<T> operation) {
        lock.lock();
        try {
            return operation.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs an action under the coordination lock. */
    void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }
}
