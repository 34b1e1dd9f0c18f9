package io.cloudportal.internal;

import io.cloudportal.kv.GuardedWrites;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvTransactionResult;
import java.time.Duration;
import java.util.Optional;

/**
 * Each write a one-operation transaction under the guard resolved when the view was made: the
 * check the server makes for a transaction is the check a single guarded write needs, so the
 * drivers implement it once.
 */
final class PortableGuardedWrites implements GuardedWrites {

    private final PortableKvStore store;
    private final WriteGuard guard;

    PortableGuardedWrites(PortableKvStore store, WriteGuard guard) {
        this.store = store;
        this.guard = guard;
    }

    @Override
    public KeyValue put(String key, byte[] value) {
        return store.transaction("put()").put(key, value).guard(guard).commit().written().get(0);
    }

    @Override
    public KeyValue put(String key, byte[] value, Duration ttl) {
        return store.transaction("put()").put(key, value, ttl).guard(guard).commit().written().get(0);
    }

    @Override
    public Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value) {
        KvTransactionResult result = store.transaction("compareAndSet()").requireVersion(key, expectedVersion).put(key, value)
                .guard(guard).commit();
        return result.committed() ? Optional.of(result.written().get(0)) : Optional.empty();
    }

    @Override
    public boolean delete(String key) {
        return store.transaction("delete()").requirePresent(key).delete(key).guard(guard).commit().committed();
    }

    @Override
    public String toString() {
        return "KV writes guarded by " + guard;
    }
}
