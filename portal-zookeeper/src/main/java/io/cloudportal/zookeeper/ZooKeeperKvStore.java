package io.cloudportal.zookeeper;

import io.cloudportal.UnavailableException;
import io.cloudportal.UnsupportedFacilityException;
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
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.EphemeralType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys as the children of {@code /kv}, one znode each (a key's {@code /} is escaped, so a key is
 * never mistaken for a directory). A version is the node's mzxid: it changes with every write
 * and, unlike ZooKeeper's per-node data version, never repeats across delete and re-create. TTL
 * keys are ZooKeeper TTL nodes, which the server removes when the TTL passes without a write.
 * A watch is a {@link ZooKeeperKvWatch}; a transaction a {@link ZooKeeperKvTransaction}.
 */
final class ZooKeeperKvStore implements KvStore, TransactionalKvStore {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperKvStore.class);
    static final String BASE = "/kv";

    private final ZooKeeperConnection connection;
    private final List<ZooKeeperKvWatch> watches = new CopyOnWriteArrayList<>();
    private final PlainKeys plainKeys = new PlainKeys();
    private final RecentSnapshots snapshots = new RecentSnapshots();
    /** Each read adds the keys created since the one before; with a bounded set of keys a few dozen reads take them all in. */
    private static final int MAX_SNAPSHOT_READS = 100;

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
            plainKeys.saw(key, stat);
            return Optional.of(new KeyValue(key, value, stat.getMzxid()));
        } catch (KeeperException.NoNodeException absent) {
            plainKeys.forget(key);
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
                        plainKeys.sawPlain(key);
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
                        plainKeys.sawPlain(key);
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
        plainKeys.forget(key);
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
            throw ttlNodesDisabled(connection, noTtl);
        } catch (Exception e) {
            throw ZooKeeperErrors.map("writing key '" + key + "' with a ttl", e);
        }
    }

    /** What a server with TTL nodes switched off answers a TTL create with (UNIMPLEMENTED), said usefully. */
    static UnsupportedFacilityException ttlNodesDisabled(ZooKeeperConnection connection, Exception cause) {
        return new UnsupportedFacilityException("ZooKeeper at " + connection.context().url() + " has TTL nodes switched off;"
                + " start it with -Dzookeeper.extendedTypesEnabled=true to write keys with a ttl", cause);
    }

    /** Deletes and re-creates a node in one transaction; false if it changed meanwhile. */
    boolean replace(String path, int version, byte[] value, CreateMode mode, long ttlMillis) throws Exception {
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
                    plainKeys.sawPlain(key);
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
            plainKeys.saw(key, written);
            return Optional.of(new KeyValue(key, value, written.getMzxid()));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
            return Optional.empty();
        } catch (Exception e) {
            throw ZooKeeperErrors.map("compare-and-set of key '" + key + "'", e);
        }
    }

    @Override
    public KvTransactionResult commit(KvTransactionSpec transaction) {
        return connection.bounded("committing a transaction of " + transaction.operations().size() + " writes",
                () -> new ZooKeeperKvTransaction(connection, this, transaction).commit());
    }

    @Override
    public boolean delete(String key) {
        return connection.bounded("deleting key '" + key + "'", () -> deleteNow(key));
    }

    private boolean deleteNow(String key) {
        try {
            plainKeys.forget(key);
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

    /**
     * One read per key rather than {@link #read}'s one multi: a listing promises key order, not one
     * instant, and so is not bounded by the size of one reply.
     */
    private List<KeyValue> listNow(String prefix) {
        try {
            List<String> children;
            try {
                children = client().getChildren().forPath(BASE);
            } catch (KeeperException.NoNodeException none) {
                return List.of();
            }
            List<KeyValue> values = new ArrayList<>();
            for (String child : children) {
                String key = key(child);
                if (key.startsWith(prefix)) {
                    Stat stat = new Stat();
                    try {
                        byte[] value = client().getData().storingStatIn(stat).forPath(BASE + "/" + child);
                        values.add(new KeyValue(key, value, stat.getMzxid()));
                    } catch (KeeperException.NoNodeException deletedMeanwhile) {
                        // gone between the listing and the read
                    }
                }
            }
            values.sort(Comparator.comparing(KeyValue::key));
            return values;
        } catch (Exception e) {
            throw ZooKeeperErrors.map("listing keys under '" + prefix + "'", e);
        }
    }

    @Override
    public KvSnapshot snapshot(String prefix) {
        return connection.bounded("reading a snapshot of keys under '" + prefix + "'", () -> {
            try {
                KvSnapshot snapshot = read(prefix);
                snapshots.remember(snapshot);
                return snapshot;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("reading a snapshot of keys under '" + prefix + "'", e);
            }
        });
    }

    /**
     * The keys under a prefix at one point: {@code /kv}, its children and each key's data in one
     * read-only multi, which the server answers between two writes. Its revision is the newest zxid
     * that touched them ({@code /kv}'s pzxid for creates and deletes, a key's mzxid for writes),
     * so no later change can be in it and none up to it is missing. A child created after the
     * listing that chose what to read makes it read again, with that child added.
     */
    KvSnapshot read(String prefix) throws Exception {
        String base = ZKPaths.fixForNamespace(client().getNamespace(), BASE);
        List<String> wanted = new ArrayList<>();
        try {
            for (String child : client().getChildren().forPath(BASE)) {
                if (key(child).startsWith(prefix)) {
                    wanted.add(child);
                }
            }
        } catch (KeeperException.NoNodeException none) {
            ensureBase();
        }
        for (int attempt = 1; ; attempt++) {
            List<Op> reads = new ArrayList<>();
            reads.add(Op.getData(base));
            reads.add(Op.getChildren(base));
            for (String child : wanted) {
                reads.add(Op.getData(base + "/" + child));
            }
            List<OpResult> results = RetryLoop.callWithRetry(client().getZookeeperClient(),
                    () -> client().getZookeeperClient().getZooKeeper().multi(reads));
            List<String> present = new ArrayList<>();
            if (results.get(1) instanceof OpResult.GetChildrenResult listing) {
                for (String child : listing.getChildren()) {
                    if (key(child).startsWith(prefix)) {
                        present.add(child);
                    }
                }
            }
            boolean complete = results.get(0) instanceof OpResult.GetDataResult && wanted.containsAll(present);
            if (!complete) {
                if (attempt == MAX_SNAPSHOT_READS) {
                    throw new UnavailableException("the keys under '" + prefix + "' were created faster than " + MAX_SNAPSHOT_READS
                            + " reads could take them in; try again");
                }
                if (results.get(0) instanceof OpResult.ErrorResult) {
                    ensureBase(); // deleted by hand meanwhile
                }
                // Read the ones missed too, and keep those gone since: a key absent in the multi is simply not in it.
                for (String child : present) {
                    if (!wanted.contains(child)) {
                        wanted.add(child);
                    }
                }
                continue;
            }
            long revision = ((OpResult.GetDataResult) results.get(0)).getStat().getPzxid();
            List<KeyValue> values = new ArrayList<>();
            for (int i = 0; i < wanted.size(); i++) {
                if (results.get(i + 2) instanceof OpResult.GetDataResult data) {
                    values.add(new KeyValue(key(wanted.get(i)), data.getData(), data.getStat().getMzxid()));
                    revision = Math.max(revision, data.getStat().getMzxid());
                }
            }
            values.sort(Comparator.comparing(KeyValue::key));
            return new KvSnapshot(prefix, values, revision);
        }
    }

    @Override
    public Watch watch(String prefix, KvListener listener) {
        return watch(prefix, -1, listener);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, KvListener listener) {
        return connection.bounded("watching keys under '" + prefix + "'", () -> {
            try {
                ensureBase();
                ZooKeeperKvWatch watch = new ZooKeeperKvWatch(connection, this, prefix, listener);
                watch.start(afterRevision);
                watches.add(watch);
                return watch;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("watching keys under '" + prefix + "'", e);
            }
        });
    }

    /** Creates {@code /kv} if it is not there yet (a namespace no key was put in). */
    static void ensureBase(org.apache.curator.framework.CuratorFramework client) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(BASE);
        } catch (KeeperException.NodeExistsException exists) {
            // the usual case
        }
    }

    private void ensureBase() throws Exception {
        ensureBase(client());
    }

    RecentSnapshots snapshots() {
        return snapshots;
    }

    PlainKeys plainKeys() {
        return plainKeys;
    }

    void forget(ZooKeeperKvWatch watch) {
        watches.remove(watch);
    }

    void close() {
        watches.forEach(ZooKeeperKvWatch::close);
    }
}
