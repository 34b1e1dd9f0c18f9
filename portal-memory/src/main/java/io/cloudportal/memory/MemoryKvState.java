package io.cloudportal.memory;

import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvListener;
import java.time.Duration;
import io.cloudportal.kv.KvSnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The shared key-value data of one backend. Every method runs under the backend lock. */
final class MemoryKvState {

    private record Entry(KeyValue value, ScheduledFuture<?> expiry) {
    }

    record Watcher(String prefix, KvListener listener) {
    }

    static final int HISTORY = 10_000;

    private final MemoryBackend backend;
    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    /** The latest changes, oldest first, for watches from a revision; older ones are compacted away as etcd would. */
    private final ArrayDeque<KvEvent> history = new ArrayDeque<>();
    /** The revision of the newest change no longer in {@link #history}. */
    private long compactedThrough;

    MemoryKvState(MemoryBackend backend) {
        this.backend = backend;
    }

    Optional<KeyValue> get(String key) {
        Entry entry = entries.get(key);
        return entry == null ? Optional.empty() : Optional.of(entry.value);
    }

    KeyValue put(String key, byte[] value, Duration ttl) {
        long revision = backend.nextRevision();
        KeyValue stored = new KeyValue(key, value, revision);
        Entry previous = entries.get(key);
        if (previous != null && previous.expiry != null) {
            previous.expiry.cancel(false);
        }
        ScheduledFuture<?> expiry = ttl == null ? null
                : backend.timer.schedule(() -> expire(key, revision), ttl.toNanos(), TimeUnit.NANOSECONDS);
        entries.put(key, new Entry(stored, expiry));
        notify(new KvEvent(KvEvent.Type.PUT, key, Optional.of(stored), revision));
        return stored;
    }

    Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value) {
        Entry current = entries.get(key);
        long currentVersion = current == null ? 0 : current.value.version();
        if (currentVersion != expectedVersion) {
            return Optional.empty();
        }
        return Optional.of(put(key, value, null));
    }

    boolean delete(String key) {
        Entry removed = entries.remove(key);
        if (removed == null) {
            return false;
        }
        if (removed.expiry != null) {
            removed.expiry.cancel(false);
        }
        notify(new KvEvent(KvEvent.Type.DELETE, key, Optional.empty(), backend.nextRevision()));
        return true;
    }

    List<KeyValue> list(String prefix) {
        List<KeyValue> values = new ArrayList<>();
        for (Map.Entry<String, Entry> entry : entries.tailMap(prefix, true).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            values.add(entry.getValue().value);
        }
        return values;
    }

    Watcher watch(String prefix, KvListener listener) {
        Watcher watcher = new Watcher(prefix, listener);
        watchers.add(watcher);
        return watcher;
    }

    /** Replays the retained changes after a revision, or a RESYNC if some were compacted, then watches. */
    Watcher watch(String prefix, long afterRevision, KvListener listener) {
        if (afterRevision < compactedThrough) {
            listener.changed(new KvEvent(KvEvent.Type.RESYNC, prefix, Optional.empty(), backend.revision()));
        } else {
            for (KvEvent event : history) {
                if (event.revision() > afterRevision && event.key().startsWith(prefix)) {
                    listener.changed(event);
                }
            }
        }
        return watch(prefix, listener);
    }

    KvSnapshot snapshot(String prefix) {
        return new KvSnapshot(prefix, list(prefix), backend.revision());
    }

    void unwatch(Watcher watcher) {
        watchers.remove(watcher);
    }

    private void expire(String key, long version) {
        backend.lock.lock();
        try {
            Entry entry = entries.get(key);
            if (entry != null && entry.value.version() == version) {
                delete(key);
            }
        } finally {
            backend.lock.unlock();
        }
    }

    /** Runs under the backend lock, so every watcher sees changes in revision order. */
    private void notify(KvEvent event) {
        history.addLast(event);
        if (history.size() > HISTORY) {
            compactedThrough = history.removeFirst().revision();
        }
        for (Watcher watcher : watchers) {
            if (event.key().startsWith(watcher.prefix)) {
                watcher.listener.changed(event);
            }
        }
    }
}
