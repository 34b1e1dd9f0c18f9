package io.cloudportal.zookeeper;

import io.cloudportal.ConflictException;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.LockLostException;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvTransactionResult;
import io.cloudportal.spi.KvTransactionSpec;
import io.cloudportal.spi.KvTransactionSpec.Condition;
import io.cloudportal.spi.KvTransactionSpec.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.RetryLoop;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.EphemeralType;

/**
 * One KV transaction as a ZooKeeper {@code multi}. ZooKeeper checks a node's data version and
 * existence, not its mzxid (Portal's version), and cannot check that a node is absent, so the
 * keys are read first and the multi is planned on what was read: a version condition becomes a
 * {@code check} of the data version read with the mzxid (as compare-and-set does, decision 8),
 * an absent key a {@code create} (undone by a {@code delete} in the same multi if nothing is
 * written to it; a KV watch reports no create followed at once by the delete of a key it could
 * not read), a guard a
 * {@code check} that the holder's lock node still exists. When the
 * multi fails on a step that only pinned what was read (a key created or deleted meanwhile), the
 * transaction is planned again; when it fails on a condition or the guard, that is the answer.
 * A lost guard is the answer before a failed condition: the read includes the guard's node.
 *
 * <p>A transaction of unconditioned puts (without TTL) and deletes of keys this connection last
 * saw as plain nodes skips the read, as a raw multi would: the guard's {@code check} and one
 * {@code setData} or {@code delete} per key, whose results carry the versions. If a key is not
 * there, that multi writes nothing and the transaction is planned on a read.
 */
final class ZooKeeperKvTransaction {

    /** Plans tried before giving up on keys that change under every attempt. */
    private static final int ATTEMPTS = 5;

    private final ZooKeeperConnection connection;
    private final PlainKeys plainKeys;
    private final ZooKeeperKvStore store;
    private final KvTransactionSpec transaction;

    /** What each step of the multi stands for: a condition's index, the guard, or a pin of what was read (-1). */
    private static final int GUARD = -2;
    private static final int PIN = -1;
    private static final int CLOCK_STEP = -3;
    /** The node whose set reports a multi's zxid; made by the first transaction that needs it. */
    static final String CLOCK = "/kv-transactions";

    ZooKeeperKvTransaction(ZooKeeperConnection connection, ZooKeeperKvStore store, KvTransactionSpec transaction) {
        this.connection = connection;
        this.store = store;
        this.plainKeys = store.plainKeys();
        this.transaction = transaction;
    }

    KvTransactionResult commit() throws Exception {
        ZooKeeperLock.Held guard = transaction.guard().map(this::ownLock).orElse(null);
        if (writesOnlyKnownPlainKeys()) {
            KvTransactionResult unread = commitUnread(guard);
            if (unread != null) {
                return unread;
            }
        }
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Map<String, Stat> read = read(guard);
            for (Condition condition : transaction.conditions()) {
                if (!condition.heldBy(version(read.get(condition.key())))) {
                    return KvTransactionResult.refused(condition.describe());
                }
            }
            List<CuratorOp> steps = new ArrayList<>();
            List<Integer> meaning = new ArrayList<>();
            plan(read, guard, steps, meaning);
            try {
                List<CuratorTransactionResult> results = client().transaction().forOperations(steps);
                remember();
                return committed(results);
            } catch (KeeperException failed) {
                int step = firstFailedStep(failed);
                if (failed.code() == KeeperException.Code.UNIMPLEMENTED) {
                    throw ZooKeeperKvStore.ttlNodesDisabled(connection, failed);
                }
                if (step >= 0 && failed.code() == KeeperException.Code.NONODE && steps.get(step).getTypeAndPath().getType() == OperationType.CREATE) {
                    // Nothing was put in this namespace yet: a create under /kv needs /kv.
                    ZooKeeperKvStore.ensureBase(client());
                    continue;
                }
                int means = step < 0 ? PIN : meaning.get(step);
                if (means == GUARD) {
                    throw lost(guard);
                }
                if (means >= 0) {
                    return KvTransactionResult.refused(transaction.conditions().get(means).describe());
                }
                if (means == CLOCK_STEP) {
                    createClock();
                    continue;
                }
                if (step < 0) {
                    throw failed;
                }
                // A key was created or deleted since it was read: plan again on what is there now.
            }
        }
        throw new ConflictException("the transaction's keys changed under each of " + ATTEMPTS + " attempts to commit it; try again");
    }

    private static LockLostException lost(ZooKeeperLock.Held guard) {
        guard.refusedByTheServer("ZooKeeper");
        return new LockLostException("nothing was written: lock '" + guard.name() + "' (token " + guard.fencingToken().value()
                + ") is no longer held by this holder on the server");
    }

    private boolean writesOnlyKnownPlainKeys() {
        return transaction.conditions().isEmpty() && transaction.operations().stream().allMatch(operation -> operation.ttl() == null)
                && plainKeys.containAll(transaction.operations().stream().map(Operation::key).toList());
    }

    /** The multi without a read; null if a key was not there (nothing was written). */
    private KvTransactionResult commitUnread(ZooKeeperLock.Held guard) throws Exception {
        List<CuratorOp> steps = new ArrayList<>();
        if (guard != null) {
            steps.add(client().transactionOp().check().forPath(guard.path()));
        }
        int first = steps.size();
        for (Operation operation : transaction.operations()) {
            String path = ZooKeeperKvStore.path(operation.key());
            steps.add(operation.isDelete() ? client().transactionOp().delete().forPath(path)
                    : client().transactionOp().setData().forPath(path, operation.value()));
        }
        List<CuratorTransactionResult> results;
        try {
            results = client().transaction().forOperations(steps);
        } catch (KeeperException failed) {
            int step = firstFailedStep(failed);
            if (guard != null && step == 0) {
                throw lost(guard);
            }
            if (failed.code() == KeeperException.Code.NONODE && step >= first) {
                plainKeys.forget(transaction.operations().get(step - first).key());
                return null;
            }
            throw failed;
        }
        List<KeyValue> written = new ArrayList<>();
        for (int i = 0; i < transaction.operations().size(); i++) {
            Operation operation = transaction.operations().get(i);
            if (operation.isDelete()) {
                plainKeys.forget(operation.key());
                continue;
            }
            Stat stat = results.get(first + i).getResultStat();
            if (EphemeralType.get(stat.getEphemeralOwner()) == EphemeralType.TTL) {
                written.add(madePermanent(operation, stat));
            } else {
                written.add(new KeyValue(operation.key(), operation.value(), stat.getMzxid()));
            }
        }
        return KvTransactionResult.committed(written);
    }

    /**
     * Another client replaced the key by a TTL node since this connection saw it, and the multi set
     * its value: a put without TTL makes a key permanent, so the node is put in its place as
     * {@link ZooKeeperKvStore#put} does. If it was written again meanwhile, that later write stands.
     */
    private KeyValue madePermanent(Operation operation, Stat stat) throws Exception {
        String path = ZooKeeperKvStore.path(operation.key());
        if (store.replace(path, stat.getVersion(), operation.value(), CreateMode.PERSISTENT, 0)) {
            Stat replaced = client().checkExists().forPath(path);
            if (replaced != null) {
                plainKeys.saw(operation.key(), replaced);
                return new KeyValue(operation.key(), operation.value(), replaced.getMzxid());
            }
        }
        plainKeys.forget(operation.key());
        return new KeyValue(operation.key(), operation.value(), stat.getMzxid());
    }

    /** What a committed multi planned on a read leaves: plain puts are plain nodes now, the rest are not. */
    private void remember() {
        for (Operation operation : transaction.operations()) {
            if (operation.isDelete() || operation.ttl() != null) {
                plainKeys.forget(operation.key());
            } else {
                plainKeys.sawPlain(operation.key());
            }
        }
    }

    private void createClock() throws Exception {
        try {
            client().create().forPath(CLOCK, new byte[0]);
        } catch (KeeperException.NodeExistsException another) {
            // made by another transaction meanwhile
        }
    }

    private CuratorFramework client() {
        return connection.client();
    }

    private ZooKeeperLock.Held ownLock(io.cloudportal.lock.HeldLock lock) {
        if (lock instanceof ZooKeeperLock.Held held && held.belongsTo(connection)) {
            return held;
        }
        throw new InvalidArgumentException("guard '" + lock + "' is not a lock of this ZooKeeper connection");
    }

    /**
     * The stat of every key the transaction names, in one read-only multi (one round trip, whatever
     * the count), which also reads the guard's node: a guard already lost is the answer.
     */
    private Map<String, Stat> read(ZooKeeperLock.Held guard) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Condition condition : transaction.conditions()) {
            if (!keys.contains(condition.key())) {
                keys.add(condition.key());
            }
        }
        for (Operation operation : transaction.operations()) {
            if (!keys.contains(operation.key())) {
                keys.add(operation.key());
            }
        }
        List<Op> reads = new ArrayList<>();
        for (String key : keys) {
            reads.add(Op.getData(ZKPaths.fixForNamespace(client().getNamespace(), ZooKeeperKvStore.path(key))));
        }
        if (guard != null) {
            reads.add(Op.getData(ZKPaths.fixForNamespace(client().getNamespace(), guard.path())));
        }
        // Curator has no read multi; its retry loop still waits for a connection and retries a lost one, as its own reads do.
        List<OpResult> results = RetryLoop.callWithRetry(client().getZookeeperClient(),
                () -> client().getZookeeperClient().getZooKeeper().multi(reads));
        Map<String, Stat> read = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            OpResult result = results.get(i);
            if (result instanceof OpResult.ErrorResult error && error.getErr() != KeeperException.Code.NONODE.intValue()) {
                throw KeeperException.create(KeeperException.Code.get(error.getErr()), ZooKeeperKvStore.path(keys.get(i)));
            }
            Stat stat = result instanceof OpResult.GetDataResult data ? data.getStat() : null;
            read.put(keys.get(i), stat);
            plainKeys.saw(keys.get(i), stat);
        }
        if (guard != null && results.get(keys.size()) instanceof OpResult.ErrorResult error) {
            if (error.getErr() == KeeperException.Code.NONODE.intValue()) {
                throw lost(guard);
            }
            throw KeeperException.create(KeeperException.Code.get(error.getErr()), guard.path());
        }
        return read;
    }

    private static long version(Stat stat) {
        return stat == null ? 0 : stat.getMzxid();
    }

    private void plan(Map<String, Stat> read, ZooKeeperLock.Held guard, List<CuratorOp> steps, List<Integer> meaning) throws Exception {
        Map<String, Integer> absentBy = new HashMap<>();
        for (int i = 0; i < transaction.conditions().size(); i++) {
            Condition condition = transaction.conditions().get(i);
            String path = ZooKeeperKvStore.path(condition.key());
            Stat stat = read.get(condition.key());
            if (stat == null) {
                // Absent as required: the create of a write to it, or a create and delete, proves it still is.
                absentBy.putIfAbsent(condition.key(), i);
            } else {
                steps.add(condition.check() == KvTransactionSpec.Check.VERSION
                        ? client().transactionOp().check().withVersion(stat.getVersion()).forPath(path)
                        : client().transactionOp().check().forPath(path));
                meaning.add(i);
            }
        }
        if (guard != null) {
            steps.add(client().transactionOp().check().forPath(guard.path()));
            meaning.add(GUARD);
        }
        for (Operation operation : transaction.operations()) {
            String path = ZooKeeperKvStore.path(operation.key());
            Stat stat = read.get(operation.key());
            int createMeans = absentBy.getOrDefault(operation.key(), PIN);
            absentBy.remove(operation.key());
            if (operation.isDelete()) {
                if (stat != null) {
                    steps.add(client().transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
                    meaning.add(PIN);
                } else if (createMeans >= 0) {
                    proveAbsent(path, createMeans, steps, meaning);
                }
                // Deleting a key that is absent writes nothing: the transaction is as if it ran before a create meanwhile.
            } else if (operation.ttl() != null) {
                // A TTL key is a TTL node: created, or put in the place of the node there (its TTL is fixed at creation).
                if (stat != null) {
                    steps.add(client().transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
                    meaning.add(PIN);
                }
                steps.add(client().transactionOp().create().withTtl(operation.ttl().toMillis()).withMode(CreateMode.PERSISTENT_WITH_TTL)
                        .forPath(path, operation.value()));
                meaning.add(stat == null ? createMeans : PIN);
            } else if (stat == null) {
                steps.add(client().transactionOp().create().forPath(path, operation.value()));
                meaning.add(createMeans);
            } else if (EphemeralType.get(stat.getEphemeralOwner()) == EphemeralType.TTL) {
                // A plain write makes a key permanent: a TTL node is replaced, as put does.
                steps.add(client().transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
                meaning.add(PIN);
                steps.add(client().transactionOp().create().forPath(path, operation.value()));
                meaning.add(PIN);
            } else {
                steps.add(client().transactionOp().setData().withVersion(stat.getVersion()).forPath(path, operation.value()));
                meaning.add(PIN);
            }
        }
        for (Map.Entry<String, Integer> absent : absentBy.entrySet()) {
            proveAbsent(ZooKeeperKvStore.path(absent.getKey()), absent.getValue(), steps, meaning);
        }
        if (transaction.operations().stream().anyMatch(operation -> !operation.isDelete())) {
            // A create's result carries no stat. Every write of one multi gets the multi's zxid, which the set of this
            // node (outside /kv, so no KV watch sees it) reports: the version of every key the transaction puts.
            steps.add(client().transactionOp().setData().forPath(CLOCK, new byte[0]));
            meaning.add(CLOCK_STEP);
        }
    }

    private void proveAbsent(String path, int means, List<CuratorOp> steps, List<Integer> meaning) throws Exception {
        steps.add(client().transactionOp().create().forPath(path, new byte[0]));
        meaning.add(means);
        steps.add(client().transactionOp().delete().forPath(path));
        meaning.add(PIN);
    }

    private KvTransactionResult committed(List<CuratorTransactionResult> results) {
        long zxid = results.stream().filter(result -> result.getType() == OperationType.SET_DATA && CLOCK.equals(result.getForPath()))
                .mapToLong(result -> result.getResultStat().getMzxid()).findFirst().orElse(0);
        return KvTransactionResult.committed(transaction.operations().stream().filter(operation -> !operation.isDelete())
                .map(operation -> new KeyValue(operation.key(), operation.value(), zxid)).toList());
    }

    /** The step ZooKeeper refused: the first whose result is an error other than "not run because another failed". */
    private static int firstFailedStep(KeeperException failed) {
        List<OpResult> results = failed.getResults();
        if (results == null) {
            return -1;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult error && error.getErr() != KeeperException.Code.OK.intValue()
                    && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }
}
