package io.cloudportal.memory;

import io.cloudportal.spi.DoubleBarrierCell;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A double barrier of a memory backend: member entries owned by sessions and a ready marker, with
 * revisions from the backend's one counter, all under the backend's lock. An expired or closed
 * session's entries go, as ephemeral nodes and leased keys do.
 */
final class MemoryDoubleBarrier implements DoubleBarrierCell {

    /** The double barriers of one backend. Guarded by the backend's lock. */
    static final class State {
        private final Map<String, Entries> barriers = new HashMap<>();
        /** The revision of the latest change to any of them: a waiter may wake for another barrier's change, never miss its own. */
        private long changed;

        /** Records a change and wakes the waiters. Call under the backend's lock. */
        void touch(MemoryBackend backend) {
            changed = backend.nextRevision();
            backend.changed.signalAll();
        }

        /** Removes the entries of a session that ended. Call under the backend's lock. */
        void expire(MemoryBackend backend, long session) {
            for (Entries entries : barriers.values()) {
                if (entries.members.values().removeIf(entry -> entry.session() == session)) {
                    touch(backend);
                }
            }
        }
    }

    private record Entry(long session, long created) {
    }

    private static final class Entries {
        private final Map<String, Entry> members = new LinkedHashMap<>();
        private long ready;
    }

    private final MemoryConnection connection;
    private final String name;

    MemoryDoubleBarrier(MemoryConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    private MemoryBackend backend() {
        return connection.backend();
    }

    private State state() {
        return backend().doubleBarriers;
    }

    private Entries entries() {
        return state().barriers.computeIfAbsent(name, n -> new Entries());
    }

    @Override
    public long join(String member) {
        return backend().locked(() -> {
            Entries entries = entries();
            Entry entry = entries.members.get(member);
            if (entry == null) {
                state().touch(backend());
                entry = new Entry(connection.sessionId(), state().changed);
                entries.members.put(member, entry);
            }
            return entry.created();
        });
    }

    @Override
    public View read() {
        return backend().locked(() -> {
            Entries entries = state().barriers.get(name);
            return entries == null ? new View(java.util.Set.of(), 0, backend().revision())
                    : new View(entries.members.keySet(), entries.ready, backend().revision());
        });
    }

    @Override
    public void awaitChange(View since, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        backend().lock.lock();
        try {
            while (state().changed <= since.revision() && left > 0) {
                left = backend().changed.awaitNanos(left);
            }
        } finally {
            backend().lock.unlock();
        }
    }

    @Override
    public long markReady(long after) {
        return backend().locked(() -> {
            Entries entries = entries();
            if (entries.ready <= after) {
                state().touch(backend());
                entries.ready = state().changed;
            }
            return entries.ready;
        });
    }

    @Override
    public void withdraw(String member) {
        backend().locked(() -> {
            Entries entries = entries();
            if (entries.members.remove(member) != null) {
                state().touch(backend());
            }
            forgetIfEmpty(entries);
        });
    }

    @Override
    public void clearReady(long readyRevision) {
        backend().locked(() -> {
            Entries entries = entries();
            if (entries.ready == readyRevision && readyRevision != 0) {
                entries.ready = 0;
                state().touch(backend());
            }
            forgetIfEmpty(entries);
        });
    }

    /** A barrier nobody is in takes no memory, as a reaped container node or an empty prefix takes none. */
    private void forgetIfEmpty(Entries entries) {
        if (entries.members.isEmpty() && entries.ready == 0) {
            state().barriers.remove(name);
        }
    }
}
