package io.cloudportal.etcd;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.LockLostException;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvListener;
import io.cloudportal.kv.KvSnapshot;
import io.cloudportal.kv.KvStore;
import io.cloudportal.kv.KvTransactionResult;
import io.cloudportal.spi.KvTransactionSpec;
import io.cloudportal.spi.TransactionalKvStore;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys under {@code <root>/kv/}. A version is the key's mod revision, which etcd never repeats,
 * not even across a delete and re-create; compare-and-set is one transaction on it; a key with a
 * TTL is bound to a lease of its own, so it outlives this connection and nothing else. Watches
 * carry the values written, resume from the next revision after a reconnect, and report a resync
 * when compaction took the history they needed. A transaction is one {@code Txn}: its conditions
 * and a guard's lock key compared in {@code If}, the writes in {@code Then}, and in {@code Else}
 * a read of every compared key, so a refusal can name the condition that failed.
 */
final class EtcdKvStore implements KvStore, TransactionalKvStore {

    private final EtcdConnection connection;
    private final String root;
    private final Set<EtcdWatcher> watchers = ConcurrentHashMap.newKeySet();

    EtcdKvStore(EtcdConnection connection) {
        this.connection = connection;
        this.root = connection.key("kv/");
    }

    private KV kv() {
        return connection.client().getKVClient();
    }

    private ByteSequence etcdKey(String key) {
        return EtcdConnection.bytes(root + key);
    }

    private KeyValue toKeyValue(io.etcd.jetcd.KeyValue kv) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8).substring(root.length());
        return new KeyValue(key, kv.getValue().getBytes(), kv.getModRevision());
    }

    @Override
    public Optional<KeyValue> get(String key) {
        GetResponse response = connection.await("reading key '" + key + "'", kv().get(etcdKey(key)));
        return response.getKvs().stream().findFirst().map(this::toKeyValue);
    }

    @Override
    public KeyValue put(String key, byte[] value) {
        long revision = connection.await("writing key '" + key + "'", kv().put(etcdKey(key), ByteSequence.from(value)))
                .getHeader().getRevision();
        return new KeyValue(key, value, revision);
    }

    @Override
    public KeyValue put(String key, byte[] value, Duration ttl) {
        long seconds = leaseSeconds(ttl);
        long lease = connection.await("granting a " + seconds + "s lease for key '" + key + "'",
                connection.client().getLeaseClient().grant(seconds)).getID();
        long revision = connection.await("writing key '" + key + "'",
                kv().put(etcdKey(key), ByteSequence.from(value), PutOption.builder().withLeaseId(lease).build()))
                .getHeader().getRevision();
        return new KeyValue(key, value, revision);
    }

    /** etcd counts lease TTLs in whole seconds, and raises one below its minimum to that minimum. */
    private static long leaseSeconds(Duration ttl) {
        return Math.max(1, (ttl.toMillis() + 999) / 1000);
    }

    @Override
    public Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value) {
        ByteSequence etcdKey = etcdKey(key);
        TxnResponse response = connection.await("compare-and-set of key '" + key + "'", kv().txn()
                .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedVersion)))
                .Then(Op.put(etcdKey, ByteSequence.from(value), PutOption.DEFAULT))
                .commit());
        return response.isSucceeded() ? Optional.of(new KeyValue(key, value, response.getHeader().getRevision())) : Optional.empty();
    }

    @Override
    public KvTransactionResult commit(KvTransactionSpec transaction) {
        List<Cmp> compares = new ArrayList<>();
        List<Op> reads = new ArrayList<>();
        for (KvTransactionSpec.Condition condition : transaction.conditions()) {
            ByteSequence key = etcdKey(condition.key());
            compares.add(switch (condition.check()) {
                // A missing key compares as mod and create revision 0.
                case VERSION -> new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(condition.version()));
                case ABSENT -> new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0));
                case PRESENT -> new Cmp(key, Cmp.Op.GREATER, CmpTarget.createRevision(0));
            });
            reads.add(Op.get(key, GetOption.DEFAULT));
        }
        EtcdLock.Held guard = transaction.guard().map(this::ownLock).orElse(null);
        if (guard != null) {
            compares.add(new Cmp(guard.key(), Cmp.Op.EQUAL, CmpTarget.createRevision(guard.fencingToken().value())));
            // Read first when refused: a lost guard is the answer before any condition (GuardedWrites' rule).
            reads.add(0, Op.get(guard.key(), GetOption.DEFAULT));
        }
        // A TTL key carries a lease of its own, as put does; one lease per TTL, granted before the Txn (a
        // lease left without keys when the Txn is refused simply expires).
        java.util.Map<Long, Long> leaseBySeconds = new java.util.HashMap<>();
        List<Op> writes = new ArrayList<>();
        for (KvTransactionSpec.Operation operation : transaction.operations()) {
            ByteSequence key = etcdKey(operation.key());
            if (operation.isDelete()) {
                writes.add(Op.delete(key, io.etcd.jetcd.options.DeleteOption.DEFAULT));
            } else if (operation.ttl() == null) {
                writes.add(Op.put(key, ByteSequence.from(operation.value()), PutOption.DEFAULT));
            } else {
                long seconds = leaseSeconds(operation.ttl());
                long lease = leaseBySeconds.computeIfAbsent(seconds, s -> connection.await("granting a " + s + "s lease for a transaction",
                        connection.client().getLeaseClient().grant(s)).getID());
                writes.add(Op.put(key, ByteSequence.from(operation.value()), PutOption.builder().withLeaseId(lease).build()));
            }
        }
        TxnResponse response = connection.await("committing a transaction of " + writes.size() + " writes", kv().txn()
                .If(compares.toArray(Cmp[]::new)).Then(writes.toArray(Op[]::new)).Else(reads.toArray(Op[]::new)).commit());
        if (response.isSucceeded()) {
            long revision = response.getHeader().getRevision();
            return KvTransactionResult.committed(transaction.operations().stream().filter(operation -> !operation.isDelete())
                    .map(operation -> new KeyValue(operation.key(), operation.value(), revision)).toList());
        }
        List<GetResponse> read = response.getGetResponses();
        int first = 0;
        if (guard != null) {
            long created = read.get(0).getKvs().stream().findFirst().map(io.etcd.jetcd.KeyValue::getCreateRevision).orElse(0L);
            if (created != guard.fencingToken().value()) {
                throw refused(guard);
            }
            first = 1;
        }
        for (int i = 0; i < transaction.conditions().size(); i++) {
            KvTransactionSpec.Condition condition = transaction.conditions().get(i);
            long version = read.get(first + i).getKvs().stream().findFirst().map(io.etcd.jetcd.KeyValue::getModRevision).orElse(0L);
            if (!condition.heldBy(version)) {
                return KvTransactionResult.refused(condition.describe());
            }
        }
        throw new IllegalStateException("etcd refused a transaction whose guard and conditions all held at the revision it read");
    }

    private static LockLostException refused(EtcdLock.Held guard) {
        guard.refusedByTheServer("etcd");
        return new LockLostException("nothing was written: lock '" + guard.name() + "' (token " + guard.fencingToken().value()
                + ") is no longer held by this holder on the server");
    }

    private EtcdLock.Held ownLock(io.cloudportal.lock.HeldLock lock) {
        if (lock instanceof EtcdLock.Held held && held.belongsTo(connection)) {
            return held;
        }
        throw new InvalidArgumentException("guard '" + lock + "' is not a lock of this etcd connection");
    }

    @Override
    public boolean delete(String key) {
        return connection.await("deleting key '" + key + "'", kv().delete(etcdKey(key))).getDeleted() > 0;
    }

    @Override
    public List<KeyValue> list(String prefix) {
        return snapshot(prefix).entries();
    }

    /** One range read: etcd serves it at a single revision, which its header names. */
    @Override
    public KvSnapshot snapshot(String prefix) {
        GetOption sorted = GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse response = connection.await("reading a snapshot of prefix '" + prefix + "'", kv().get(etcdKey(prefix), sorted));
        return new KvSnapshot(prefix, response.getKvs().stream().map(this::toKeyValue).toList(), response.getHeader().getRevision());
    }

    @Override
    public Watch watch(String prefix, KvListener listener) {
        // The revision etcd is at now: every change after this call returns comes after it.
        long revision = connection.await("starting a watch on prefix '" + prefix + "'",
                kv().get(etcdKey(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())).getHeader().getRevision();
        return watch(prefix, revision, listener);
    }

    /** etcd's own watch from the next revision; a compacted one is re-listed and reported as a RESYNC by {@link EtcdWatcher}. */
    @Override
    public Watch watch(String prefix, long afterRevision, KvListener listener) {
        EtcdWatcher watcher = EtcdWatcher.start(connection, etcdKey(prefix), afterRevision + 1, new EtcdWatcher.Sink() {
            @Override
            public void events(List<WatchEvent> events) {
                for (WatchEvent event : events) {
                    io.etcd.jetcd.KeyValue kv = event.getKeyValue();
                    KeyValue value = toKeyValue(kv);
                    if (event.getEventType() == WatchEvent.EventType.DELETE) {
                        listener.changed(new KvEvent(KvEvent.Type.DELETE, value.key(), Optional.empty(), kv.getModRevision()));
                    } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                        listener.changed(new KvEvent(KvEvent.Type.PUT, value.key(), Optional.of(value), kv.getModRevision()));
                    }
                }
            }

            @Override
            public void resync(List<io.etcd.jetcd.KeyValue> listing, long at) {
                listener.changed(new KvEvent(KvEvent.Type.RESYNC, prefix, Optional.empty(), at));
            }
        });
        watchers.add(watcher);
        return () -> {
            watchers.remove(watcher);
            watcher.close();
        };
    }

    void close() {
        watchers.forEach(EtcdWatcher::close);
        watchers.clear();
    }
}
