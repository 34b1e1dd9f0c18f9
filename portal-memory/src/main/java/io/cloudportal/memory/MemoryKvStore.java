package io.cloudportal.memory;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvListener;
import io.cloudportal.kv.KvSnapshot;
import io.cloudportal.kv.KvStore;
import io.cloudportal.kv.KvTransactionResult;
import io.cloudportal.spi.KvTransactionSpec;
import io.cloudportal.spi.TransactionalKvStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** The KV store of a memory connection; a transaction runs under the backend's lock, guard check included. */
final class MemoryKvStore implements KvStore, TransactionalKvStore {

    private final MemoryConnection connection;
    private final List<MemoryKvState.Watcher> watchers = new CopyOnWriteArrayList<>();

    MemoryKvStore(MemoryConnection connection) {
        this.connection = connection;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        return locked(() -> connection.backend().kv.get(key));
    }

    @Override
    public KeyValue put(String key, byte[] value) {
        return locked(() -> connection.backend().kv.put(key, value, null));
    }

    @Override
    public KeyValue put(String key, byte[] value, Duration ttl) {
        return locked(() -> connection.backend().kv.put(key, value, ttl));
    }

    @Override
    public Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value) {
        return locked(() -> connection.backend().kv.compareAndSet(key, expectedVersion, value));
    }

    @Override
    public boolean delete(String key) {
        return locked(() -> connection.backend().kv.delete(key));
    }

    @Override
    public List<KeyValue> list(String prefix) {
        return locked(() -> connection.backend().kv.list(prefix));
    }

    @Override
    public Watch watch(String prefix, KvListener listener) {
        return tracked(locked(() -> connection.backend().kv.watch(prefix, listener)));
    }

    @Override
    public KvSnapshot snapshot(String prefix) {
        return locked(() -> connection.backend().kv.snapshot(prefix));
    }

    @Override
    public Watch watch(String prefix, long afterRevision, KvListener listener) {
        return tracked(locked(() -> connection.backend().kv.watch(prefix, afterRevision, listener)));
    }

    private Watch tracked(MemoryKvState.Watcher watcher) {
        watchers.add(watcher);
        return () -> {
            watchers.remove(watcher);
            connection.backend().locked(() -> connection.backend().kv.unwatch(watcher));
        };
    }

    @Override
    public KvTransactionResult commit(KvTransactionSpec transaction) {
        return locked(() -> {
            transaction.guard().ifPresent(guard -> {
                if (guard instanceof MemoryHeldLock held && held.backend() == connection.backend()) {
                    held.ensureHeld();
                } else if (guard instanceof MemoryCandidacy.Term term && term.backend() == connection.backend()) {
                    term.ensureHeld();
                } else {
                    throw new InvalidArgumentException("guard '" + guard + "' is not a lock of this memory backend");
                }
            });
            MemoryKvState kv = connection.backend().kv;
            for (KvTransactionSpec.Condition condition : transaction.conditions()) {
                if (!condition.heldBy(kv.get(condition.key()).map(KeyValue::version).orElse(0L))) {
                    return KvTransactionResult.refused(condition.describe());
                }
            }
            List<KeyValue> written = new ArrayList<>();
            for (KvTransactionSpec.Operation operation : transaction.operations()) {
                if (operation.isDelete()) {
                    kv.delete(operation.key());
                } else {
                    written.add(kv.put(operation.key(), operation.value(), operation.ttl()));
                }
            }
            return KvTransactionResult.committed(written);
        });
    }

    /** Under the backend lock. */
    void closeWatches() {
        watchers.forEach(connection.backend().kv::unwatch);
        watchers.clear();
    }

    private <T> T locked(Supplier<T> operation) {
        return connection.backend().locked(operation);
    }
}
