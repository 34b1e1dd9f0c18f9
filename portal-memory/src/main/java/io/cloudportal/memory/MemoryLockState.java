package io.cloudportal.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The shared locks of one backend: a holder and a FIFO queue of waiters per name, as the
 * sequential nodes of Curator's mutex order them. Every method runs under the backend lock.
 */
final class MemoryLockState {

    /** A contender; {@code granted} is set when the lock passes to it. */
    static final class Waiter {
        /** Read at grant time: a waiter whose session expired while it waited holds under its new session. */
        final LongSupplier session;
        MemoryHeldLock granted;

        Waiter(LongSupplier session) {
            this.session = session;
        }
    }

    private static final class Named {
        MemoryHeldLock holder;
        final Deque<Waiter> queue = new ArrayDeque<>();
    }

    private final MemoryBackend backend;
    private final Map<String, Named> locks = new HashMap<>();

    MemoryLockState(MemoryBackend backend) {
        this.backend = backend;
    }

    Waiter enqueue(String name, LongSupplier session) {
        Named named = locks.computeIfAbsent(name, n -> new Named());
        Waiter waiter = new Waiter(session);
        named.queue.add(waiter);
        grantNext(name, named);
        return waiter;
    }

    /** Gives up waiting; a lock granted meanwhile is released, so nothing is left held. */
    void abandon(String name, Waiter waiter) {
        Named named = locks.get(name);
        if (named == null) {
            return;
        }
        named.queue.remove(waiter);
        if (waiter.granted != null) {
            release(waiter.granted);
        }
    }

    void release(MemoryHeldLock held) {
        Named named = locks.get(held.name());
        if (named != null && named.holder == held) {
            named.holder = null;
            grantNext(held.name(), named);
        }
    }

    /** Takes every lock of a session from it, telling the holders why, and passes each on. */
    List<MemoryHeldLock> expire(long sessionId, String reason) {
        List<MemoryHeldLock> lost = new ArrayList<>();
        for (Named named : locks.values()) {
            if (named.holder != null && named.holder.sessionId() == sessionId) {
                lost.add(named.holder);
                named.holder = null;
            }
        }
        for (MemoryHeldLock held : lost) {
            held.markLost(reason);
        }
        for (Map.Entry<String, Named> entry : locks.entrySet()) {
            grantNext(entry.getKey(), entry.getValue());
        }
        return lost;
    }

    private void grantNext(String name, Named named) {
        if (named.holder == null && !named.queue.isEmpty()) {
            Waiter next = named.queue.poll();
            MemoryHeldLock held = new MemoryHeldLock(backend, name, backend.nextRevision(), next.session.getAsLong());
            named.holder = held;
            next.granted = held;
            backend.changed.signalAll();
        }
    }
}
