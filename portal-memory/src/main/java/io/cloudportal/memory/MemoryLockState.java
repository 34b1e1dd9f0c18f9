package io.cloudportal.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The shared locks, semaphores and read-write locks of one backend: up to {@code permits} holders
 * and a FIFO queue of waiters per key, as the sequential nodes of Curator's recipes order them (a
 * lock is a semaphore of one permit; a read-write lock has unbounded readers and exclusive writers;
 * keys keep the kinds apart). The head of the queue is granted first, so a waiting writer holds
 * back the readers behind it. Every method runs under the backend lock.
 */
final class MemoryLockState {

    /** A contender; {@code granted} is set when the lock passes to it. */
    static final class Waiter {
        /** Read at grant time: a waiter whose session expired while it waited holds under its new session. */
        final LongSupplier session;
        /** A writer of a read-write lock: holds alone. */
        final boolean exclusive;
        MemoryHeldLock granted;

        Waiter(LongSupplier session, boolean exclusive) {
            this.session = session;
            this.exclusive = exclusive;
        }
    }

    private static final class Named {
        final int permits;
        final List<MemoryHeldLock> holders = new ArrayList<>();
        final Deque<Waiter> queue = new ArrayDeque<>();

        Named(int permits) {
            this.permits = permits;
        }
    }

    private final MemoryBackend backend;
    private final Map<String, Named> locks = new HashMap<>();

    MemoryLockState(MemoryBackend backend) {
        this.backend = backend;
    }

    /**
     * Queues a contender.
     *
     * @param key the lock's or semaphore's key ({@code lock/<name>}, {@code semaphore/<name>})
     * @param name its name, for the held lock
     * @param permits how many may hold at once; the first contender's number stays while anyone holds or waits
     * @param exclusive whether it holds alone whatever the permits (a writer)
     */
    Waiter enqueue(String key, String name, int permits, boolean exclusive, LongSupplier session) {
        Named named = locks.computeIfAbsent(key, k -> new Named(permits));
        Waiter waiter = new Waiter(session, exclusive);
        named.queue.add(waiter);
        grantNext(key, name, named);
        return waiter;
    }

    /** Gives up waiting; a lock granted meanwhile is released, so nothing is left held. */
    void abandon(String key, Waiter waiter) {
        Named named = locks.get(key);
        if (named == null) {
            return;
        }
        named.queue.remove(waiter);
        if (waiter.granted != null) {
            release(waiter.granted);
        }
    }

    void release(MemoryHeldLock held) {
        Named named = locks.get(held.key());
        if (named != null && named.holders.remove(held)) {
            grantNext(held.key(), held.name(), named);
        }
    }

    /** Takes every lock of a session from it, telling the holders why, and passes each on. */
    List<MemoryHeldLock> expire(long sessionId, String reason) {
        List<MemoryHeldLock> lost = new ArrayList<>();
        for (Named named : locks.values()) {
            for (MemoryHeldLock holder : named.holders) {
                if (holder.sessionId() == sessionId) {
                    lost.add(holder);
                }
            }
            named.holders.removeAll(lost);
        }
        for (MemoryHeldLock held : lost) {
            held.markLost(reason);
        }
        for (MemoryHeldLock held : lost) {
            Named named = locks.get(held.key());
            if (named != null) {
                grantNext(held.key(), held.name(), named);
            }
        }
        return lost;
    }

    private void grantNext(String key, String name, Named named) {
        while (!named.queue.isEmpty()) {
            Waiter next = named.queue.peek();
            boolean fits = next.exclusive ? named.holders.isEmpty()
                    : named.holders.size() < named.permits && named.holders.stream().noneMatch(MemoryHeldLock::exclusive);
            if (!fits) {
                break;
            }
            named.queue.poll();
            MemoryHeldLock held = new MemoryHeldLock(backend, key, name, backend.nextRevision(), next.session.getAsLong(), next.exclusive);
            named.holders.add(held);
            next.granted = held;
            backend.changed.signalAll();
        }
        if (named.holders.isEmpty() && named.queue.isEmpty()) {
            locks.remove(key); // as ZooKeeper reaps an empty container: the next user's number of permits counts
        }
    }
}
