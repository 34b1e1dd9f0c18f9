package io.cloudportal.zookeeper;

import io.cloudportal.ConnectionState;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvListener;
import io.cloudportal.kv.KvStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.EphemeralType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys as the children of {@code /kv}, one znode each (a key's {@code /} is escaped, so a key is
 * never mistaken for a directory). A version is the node's mzxid: it changes with every write
 * and, unlike ZooKeeper's per-node data version, never repeats across delete and re-create. TTL
 * keys are ZooKeeper TTL nodes, which the server removes when the TTL passes without a write.
 * A watch is one persistent recursive watch; after a reconnect it re-lists its prefix and
 * reports what it could not see as a RESYNC followed by the differences.
 */
final class ZooKeeperKvStore implements KvStore {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperKvStore.class);
    private static final String BASE = "/kv";

    private final ZooKeeperConnection connection;
    private final List<KvWatch> watches = new CopyOnWriteArrayList<>();

    ZooKeeperKvStore(ZooKeeperConnection connection) {
        this.connection = connection;
    }

    private CuratorFramework client() {
        return connection.client();
    }

    static String path(String key) {
        return BASE + "/" + key.replace("%", "%25").replace("/", "%2F");
    }

    static String key(String child) {
        return child.replace("%2F", "/").replace("%25", "%");
    }

    @Override
    public Optional<KeyValue> get(String key) {
        return connection.bounded("reading key '" + key + "'", () -> getNow(key));
    }

    private Optional<KeyValue> getNow(String key) {
        try {
            Stat stat = new Stat();
            byte[] value = client().getData().storingStatIn(stat).forPath(path(key));
            return Optional.of(new KeyValue(key, value, stat.getMzxid()));
        } catch (KeeperException.NoNodeException absent) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperErrors.map("reading key '" + key + "'", e);
        }
    }

    @Override
    public KeyValue put(String key, byte[] value) {
        return connection.bounded("writing key '" + key + "'", () -> putNow(key, value));
    }

    private KeyValue putNow(String key, byte[] value) {
        String path = path(key);
        try {
            while (true) {
                try {
                    Stat stat = client().setData().forPath(path, value);
                    if (EphemeralType.get(stat.getEphemeralOwner()) != EphemeralType.TTL) {
                        return new KeyValue(key, value, stat.getMzxid());
                    }
                    // A plain put makes the key permanent again: replace the TTL node atomically.
                    if (replace(path, stat.getVersion(), value, CreateMode.PERSISTENT, 0)) {
                        return getNow(key).orElseGet(() -> putNow(key, value));
                    }
                } catch (KeeperException.NoNodeException absent) {
                    Stat stat = new Stat();
                    try {
                        client().create().storingStatIn(stat).creatingParentsIfNeeded().forPath(path, value);
                        return new KeyValue(key, value, stat.getMzxid());
                    } catch (KeeperException.NodeExistsException createdMeanwhile) {
                        // Another writer won the create: write over it.
                    }
                }
            }
        } catch (Exception e) {
            throw ZooKeeperErrors.map("writing key '" + key + "'", e);
        }
    }

    @Override
    public KeyValue put(String key, byte[] value, Duration ttl) {
        return connection.bounded("writing key '" + key + "' with a ttl", () -> putNow(key, value, ttl));
    }

    private KeyValue putNow(String key, byte[] value, Duration ttl) {
        String path = path(key);
        long ttlMillis = ttl.toMillis();
        try {
            while (true) {
                try {
                    Stat stat = new Stat();
                    client().create().withTtl(ttlMillis).storingStatIn(stat).creatingParentsIfNeeded()
                            .withMode(CreateMode.PERSISTENT_WITH_TTL).forPath(path, value);
                    return new KeyValue(key, value, stat.getMzxid());
                } catch (KeeperException.NodeExistsException exists) {
                    Stat current = client().checkExists().forPath(path);
                    if (current == null) {
                        continue;
                    }
                    boolean sameTtl = EphemeralType.get(current.getEphemeralOwner()) == EphemeralType.TTL
                            && EphemeralType.TTL.getValue(current.getEphemeralOwner()) == ttlMillis;
                    if (sameTtl) {
                        try {
                            Stat written = client().setData().withVersion(current.getVersion()).forPath(path, value);
                            return new KeyValue(key, value, written.getMzxid());
                        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
                            continue;
                        }
                    }
                    // The TTL is fixed when a node is created: replace the node atomically.
                    if (replace(path, current.getVersion(), value, CreateMode.PERSISTENT_WITH_TTL, ttlMillis)) {
                        Optional<KeyValue> written = getNow(key);
                        if (written.isPresent()) {
                            return written.get();
                        }
                    }
                }
            }
        } catch (KeeperException.UnimplementedException noTtl) {
            throw new UnsupportedFacilityException("ZooKeeper at " + connection.context().url() + " has TTL nodes switched off;"
                    + " start it with -Dzookeeper.extendedTypesEnabled=true to write keys with a ttl", noTtl);
        } catch (Exception e) {
            throw ZooKeeperErrors.map("writing key '" + key + "' with a ttl", e);
        }
    }

    /** Deletes and re-creates a node in one transaction; false if it changed meanwhile. */
    private boolean replace(String path, int version, byte[] value, CreateMode mode, long ttlMillis) throws Exception {
        try {
            var create = client().transactionOp().create();
            var op = mode == CreateMode.PERSISTENT_WITH_TTL
                    ? create.withTtl(ttlMillis).withMode(mode).forPath(path, value)
                    : create.withMode(mode).forPath(path, value);
            client().transaction().forOperations(client().transactionOp().delete().withVersion(version).forPath(path), op);
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException | KeeperException.NodeExistsException changed) {
            return false;
        }
    }

    @Override
    public Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value) {
        return connection.bounded("compare-and-set of key '" + key + "'", () -> compareAndSetNow(key, expectedVersion, value));
    }

    private Optional<KeyValue> compareAndSetNow(String key, long expectedVersion, byte[] value) {
        String path = path(key);
        try {
            if (expectedVersion == 0) {
                Stat stat = new Stat();
                try {
                    client().create().storingStatIn(stat).creatingParentsIfNeeded().forPath(path, value);
                    return Optional.of(new KeyValue(key, value, stat.getMzxid()));
                } catch (KeeperException.NodeExistsException exists) {
                    return Optional.empty();
                }
            }
            Stat current = client().checkExists().forPath(path);
            if (current == null || current.getMzxid() != expectedVersion) {
                return Optional.empty();
            }
            // ZooKeeper conditions writes on the data version only; the mzxid read with it pins
            // the node we compared. A delete and re-create that reached the same data version in
            // the moment between these two calls would not be noticed (see docs/decisions/0008).
            Stat written = client().setData().withVersion(current.getVersion()).forPath(path, value);
            return Optional.of(new KeyValue(key, value, written.getMzxid()));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperErrors.map("compare-and-set of key '" + key + "'", e);
        }
    }

    @Override
    public boolean delete(String key) {
        return connection.bounded("deleting key '" + key + "'", () -> deleteNow(key));
    }

    private boolean deleteNow(String key) {
        try {
            client().delete().forPath(path(key));
            return true;
        } catch (KeeperException.NoNodeException absent) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperErrors.map("deleting key '" + key + "'", e);
        }
    }

    @Override
    public List<KeyValue> list(String prefix) {
        return connection.bounded("listing keys under '" + prefix + "'", () -> listNow(prefix));
    }

    private List<KeyValue> listNow(String prefix) {
        try {
            return snapshot(prefix);
        } catch (Exception e) {
            throw ZooKeeperErrors.map("listing keys under '" + prefix + "'", e);
        }
    }

    private List<KeyValue> snapshot(String prefix) throws Exception {
        List<String> children;
        try {
            children = client().getChildren().forPath(BASE);
        } catch (KeeperException.NoNodeException none) {
            return List.of();
        }
        List<KeyValue> values = new ArrayList<>();
        for (String child : children) {
            String key = key(child);
            if (!key.startsWith(prefix)) {
                continue;
            }
            Stat stat = new Stat();
            try {
                byte[] value = client().getData().storingStatIn(stat).forPath(BASE + "/" + child);
                values.add(new KeyValue(key, value, stat.getMzxid()));
            } catch (KeeperException.NoNodeException deletedMeanwhile) {
                // gone between the listing and the read
            }
        }
        values.sort(Comparator.comparing(KeyValue::key));
        return values;
    }

    @Override
    public Watch watch(String prefix, KvListener listener) {
        try {
            try {
                client().create().creatingParentsIfNeeded().forPath(BASE);
            } catch (KeeperException.NodeExistsException exists) {
                // the usual case
            }
            KvWatch watch = new KvWatch(prefix, listener);
            watch.start();
            watches.add(watch);
            return watch;
        } catch (Exception e) {
            throw ZooKeeperErrors.map("watching keys under '" + prefix + "'", e);
        }
    }

    void close() {
        watches.forEach(KvWatch::close);
    }

    /** One prefix watch: ZooKeeper events and re-syncs are handled one at a time, in order, off ZooKeeper's threads. */
    private final class KvWatch implements Watch, Watcher {
        private final String prefix;
        private final KvListener listener;
        private final ExecutorService events;
        /** Key to the revision last reported for it; only touched on the events thread. */
        private final Map<String, Long> known = new HashMap<>();
        /** The revision of the last event delivered; only touched on the events thread. */
        private long lastDelivered;
        private AutoCloseable stateReaction;
        private volatile boolean closed;

        KvWatch(String prefix, KvListener listener) {
            this.prefix = prefix;
            this.listener = listener;
            this.events = Executors.newSingleThreadExecutor(connection.context().threadFactory("kv-watch"));
        }

        void start() throws Exception {
            // Watch first, then list: a change between the two is seen by both.
            addWatch();
            List<KeyValue> initial = snapshot(prefix);
            submit(() -> initial.forEach(kv -> known.put(kv.key(), kv.version())));
            stateReaction = connection.onState(state -> {
                if (state == ConnectionState.RECONNECTED) {
                    submit(this::resync);
                }
            });
        }

        /** Idempotent: the client keeps one registration per watcher and path. */
        private void addWatch() throws Exception {
            client().watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(this).forPath(BASE);
        }

        private void submit(Runnable task) {
            try {
                events.execute(() -> {
                    if (!closed) {
                        task.run();
                    }
                });
            } catch (RejectedExecutionException closedAlready) {
                // the watch was closed
            }
        }

        @Override
        public void process(WatchedEvent event) {
            if (event.getType() != Event.EventType.None && event.getPath() != null) {
                submit(() -> handle(event));
            }
        }

        /**
         * One event per change notification. ZooKeeper keeps no history and (before 3.10) sends no
         * zxid with an event, so a PUT carries the value read now and its mzxid, a DELETE the
         * zxid of the latest child change of {@code /kv}; revisions never decrease.
         */
        private void handle(WatchedEvent event) {
            String path = withoutNamespace(event.getPath());
            if (!path.startsWith(BASE + "/") || path.indexOf('/', BASE.length() + 1) >= 0) {
                return;
            }
            String key = key(path.substring(BASE.length() + 1));
            if (!key.startsWith(prefix)) {
                return;
            }
            switch (event.getType()) {
                case NodeCreated, NodeDataChanged -> {
                    Optional<KeyValue> value = readQuietly(key);
                    long revision = Math.max(lastDelivered, value.map(KeyValue::version).orElse(lastDelivered));
                    value.ifPresent(kv -> known.put(key, kv.version()));
                    deliver(new KvEvent(KvEvent.Type.PUT, key, value, revision));
                }
                case NodeDeleted -> {
                    known.remove(key);
                    deliver(new KvEvent(KvEvent.Type.DELETE, key, Optional.empty(), Math.max(lastDelivered, childChangeRevision())));
                }
                default -> {
                    // other events carry nothing a key watch needs
                }
            }
        }

        private long childChangeRevision() {
            try {
                Stat base = client().checkExists().forPath(BASE);
                return base == null ? lastDelivered : base.getPzxid();
            } catch (Exception e) {
                LOG.debug("Reading the revision of a delete failed", e);
                return lastDelivered;
            }
        }

        /** Persistent watches see full paths; keys live under the connection's namespace. */
        private String withoutNamespace(String path) {
            String namespace = client().getNamespace();
            if (namespace == null || namespace.isEmpty()) {
                return path;
            }
            String root = "/" + namespace;
            return path.startsWith(root + "/") ? path.substring(root.length()) : path;
        }

        private Optional<KeyValue> readQuietly(String key) {
            try {
                return get(key);
            } catch (RuntimeException e) {
                LOG.debug("Reading {} for a watch event failed", key, e);
                return Optional.empty();
            }
        }

        /** After a reconnect: what changed while events could not arrive is reported as a RESYNC and the differences. */
        private void resync() {
            List<KeyValue> now;
            long seen;
            try {
                // A watch belongs to a session: after an expiry the new session has none until it is
                // added again (after a plain reconnect this is a no-op).
                addWatch();
                now = snapshot(prefix);
                Stat base = client().checkExists().forPath(BASE);
                seen = base == null ? 0 : base.getPzxid();
            } catch (Exception e) {
                LOG.warn("Re-syncing the watch of '{}' failed; retrying on the next reconnect", prefix, e);
                return;
            }
            List<KvEvent> differences = new ArrayList<>();
            Map<String, KeyValue> present = new HashMap<>();
            for (KeyValue kv : now) {
                present.put(kv.key(), kv);
                Long last = known.get(kv.key());
                if (last == null || kv.version() > last) {
                    differences.add(new KvEvent(KvEvent.Type.PUT, kv.key(), Optional.of(kv), kv.version()));
                }
            }
            for (String key : new ArrayList<>(known.keySet())) {
                if (!present.containsKey(key)) {
                    differences.add(new KvEvent(KvEvent.Type.DELETE, key, Optional.empty(), seen));
                }
            }
            if (differences.isEmpty()) {
                return;
            }
            differences.sort(Comparator.comparingLong(KvEvent::revision));
            long top = differences.get(differences.size() - 1).revision();
            deliver(new KvEvent(KvEvent.Type.RESYNC, prefix, Optional.empty(), Math.max(lastDelivered, differences.get(0).revision())));
            for (KvEvent difference : differences) {
                if (difference.type() == KvEvent.Type.PUT) {
                    known.put(difference.key(), difference.revision());
                } else {
                    known.remove(difference.key());
                }
                deliver(new KvEvent(difference.type(), difference.key(), difference.value(), Math.max(lastDelivered, difference.revision())));
            }
            LOG.info("Watch of '{}' re-synced after a reconnect: {} changes up to revision {}", prefix, differences.size(), top);
        }

        private void deliver(KvEvent event) {
            lastDelivered = Math.max(lastDelivered, event.revision());
            try {
                listener.changed(event);
            } catch (RuntimeException e) {
                LOG.warn("KV listener threw; later events still come", e);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            watches.remove(this);
            try {
                if (stateReaction != null) {
                    stateReaction.close();
                }
                client().watchers().remove(this).quietly().forPath(BASE);
            } catch (Exception e) {
                LOG.debug("Removing the watch of '{}' failed", prefix, e);
            }
            events.shutdown();
            try {
                events.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
