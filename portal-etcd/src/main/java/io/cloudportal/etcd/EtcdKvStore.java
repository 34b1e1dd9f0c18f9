package io.cloudportal.etcd;

import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvListener;
import io.cloudportal.kv.KvStore;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys under {@code <root>/kv/}. A version is the key's mod revision, which etcd never repeats,
 * not even across a delete and re-create; compare-and-set is one transaction on it; a key with a
 * TTL is bound to a lease of its own, so it outlives this connection and nothing else. Watches
 * carry the values written, resume from the next revision after a reconnect, and report a resync
 * when compaction took the history they needed.
 */
final class EtcdKvStore implements KvStore {

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
        // etcd counts lease TTLs in whole seconds, and raises one below its minimum to that minimum.
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        long lease = connection.await("granting a " + seconds + "s lease for key '" + key + "'",
                connection.client().getLeaseClient().grant(seconds)).getID();
        long revision = connection.await("writing key '" + key + "'",
                kv().put(etcdKey(key), ByteSequence.from(value), PutOption.builder().withLeaseId(lease).build()))
                .getHeader().getRevision();
        return new KeyValue(key, value, revision);
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
    public boolean delete(String key) {
        return connection.await("deleting key '" + key + "'", kv().delete(etcdKey(key))).getDeleted() > 0;
    }

    @Override
    public List<KeyValue> list(String prefix) {
        GetOption sorted = GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse response = connection.await("listing prefix '" + prefix + "'", kv().get(etcdKey(prefix), sorted));
        return response.getKvs().stream().map(this::toKeyValue).toList();
    }

    @Override
    public Watch watch(String prefix, KvListener listener) {
        // The revision etcd is at now: every change after this call returns comes after it.
        long revision = connection.await("starting a watch on prefix '" + prefix + "'",
                kv().get(etcdKey(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())).getHeader().getRevision();
        EtcdWatcher watcher = EtcdWatcher.start(connection, etcdKey(prefix), revision + 1, new EtcdWatcher.Sink() {
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
