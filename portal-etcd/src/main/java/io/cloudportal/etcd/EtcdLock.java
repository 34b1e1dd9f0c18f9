package io.cloudportal.etcd;

import io.cloudportal.lock.FencingToken;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.spi.AbstractHeldLock;
import io.cloudportal.spi.Deadline;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock on the key protocol of {@code etcdctl lock} ({@link KeyQueue}) under
 * {@code <root>/locks/<name>/}, so Portal and etcdctl holders exclude each other. Each acquire
 * puts a key of its own, {@code <lease in hex>_<n>}, so two threads of one connection contend
 * like strangers (Portal's locks are not reentrant). The fencing token is that key's create
 * revision: the queue grants the lock in create-revision order, and revisions never repeat.
 *
 * <p>With more than one permit it is a semaphore under {@code <root>/semaphores/<name>/}: the
 * first {@code permits} keys by create revision hold. The sides of a read-write lock share the
 * queue {@code <root>/rwlocks/<name>/}, readers putting keys under {@code read/}, writers under
 * {@code write/}, as etcd's {@code recipe.RWMutex} does: a writer holds when no key is older, a
 * reader when no writer's key is, so readers arriving after a waiting writer wait for it.
 */
final class EtcdLock implements Lock {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdLock.class);

    private final EtcdConnection connection;
    private final String name;
    /** Where this kind's own keys go: the queue's prefix, or a side's under it. */
    private final String ownPrefix;
    private final KeyQueue queue;
    /** The keys whose head decides at once whether a new key holds, and how many of them to read. */
    private final String headPrefix;
    private final int headLimit;
    private final KeyQueue.Rule rule;
    /** "lock 'name'", "semaphore 'name'", "read lock 'name'" …, for messages. */
    private final String what;

    EtcdLock(EtcdConnection connection, String name) {
        this(connection, name, "locks/", "", 1, "lock");
    }

    private EtcdLock(EtcdConnection connection, String name, String kind, String side, int places, String word) {
        this.connection = connection;
        this.name = name;
        String prefix = connection.key(kind + name + "/");
        this.ownPrefix = prefix + side;
        this.queue = connection.queue(prefix);
        boolean reader = side.equals("read/");
        this.headPrefix = reader ? prefix + "write/" : prefix;
        this.headLimit = reader ? 1 : places;
        this.rule = reader ? KeyQueue.Rule.noneUnder(EtcdConnection.bytes(prefix + "write/")) : KeyQueue.Rule.places(places);
        this.what = word + " '" + name + "'";
    }

    /** A leader's election key as a guard: a held lock on the election's queue that no one releases. */
    static Held termGuard(EtcdConnection connection, String election, ByteSequence key, int slot, long term, EtcdSession.Lease lease) {
        return new EtcdLock(connection, election, "elections/", "", 1, "leadership of").new Held(key, slot, term, lease);
    }

    static EtcdLock semaphore(EtcdConnection connection, String name, int permits) {
        return new EtcdLock(connection, name, "semaphores/", "", permits, "semaphore");
    }

    static io.cloudportal.spi.ReadWriteLocks readWriteLock(EtcdConnection connection, String name) {
        return new io.cloudportal.spi.ReadWriteLocks(name, new EtcdLock(connection, name, "rwlocks/", "read/", 1, "read lock"),
                new EtcdLock(connection, name, "rwlocks/", "write/", 1, "write lock"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<HeldLock> tryAcquire(Duration timeout) throws InterruptedException {
        // The caller's timeout bounds every request on the way, not only the wait in the queue.
        Deadline deadline = Deadline.after(timeout);
        while (true) {
            EtcdSession.Lease lease = connection.session().lease();
            int slot = queue.takeSlot();
            ByteSequence key = EtcdConnection.bytes(ownPrefix + KeyQueue.keyName(lease, slot));
            Queued queued;
            try {
                queued = enqueue(key, lease, deadline);
            } catch (RuntimeException e) {
                // The put may have landed although its answer did not: a key left behind on a live lease
                // would block the lock until this connection closes.
                withdrawInBackground(key, lease, slot);
                throw e;
            }
            if (queued == null) {
                continue; // the name was taken (a delete still on its way): it stays marked, the next one is tried
            }
            long created = queued.created();
            if (queued.holds()) {
                // The put and the read of the queue's head were one transaction: too few are ahead, and the
                // put on the lease proves the lease was alive at that revision.
                Held held = new Held(key, slot, created, lease);
                held.watchSession();
                return Optional.of(held);
            }
            Boolean turn;
            try {
                turn = awaitTurn(key, created, deadline);
            } catch (InterruptedException | RuntimeException e) {
                withdrawInBackground(key, lease, slot);
                throw e;
            }
            if (turn == null) {
                // Out of time: the caller is not kept waiting for the delete.
                withdrawInBackground(key, lease, slot);
                return Optional.empty();
            }
            // Never report a lock on a lease that may be gone: the key was still ours when the turn came,
            // and the session has not moved to another lease since.
            if (turn && connection.session().lease().equals(lease) && connection.session().isLive()) {
                Held held = new Held(key, slot, created, lease);
                held.watchSession();
                return Optional.of(held);
            }
            if (deadline.passed()) {
                withdrawInBackground(key, lease, slot);
                return Optional.empty();
            }
            withdraw(key, lease, slot, deadline);
            LOG.debug("{}: the session changed while waiting; queueing again", what);
        }
    }

    /** Where an acquisition's key landed: its create revision, and whether it holds at once (null: name taken). */
    private record Queued(long created, boolean holds) {
    }

    /**
     * Puts this acquisition's key and reads the head of the keys that decide in one transaction
     * (the queue's first places; for a reader, the oldest writer). The create revision is read back
     * rather than taken from the response header, in case a retried put reports a later one.
     */
    private Queued enqueue(ByteSequence key, EtcdSession.Lease lease, Deadline deadline) {
        GetOption head = GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.CREATE)
                .withSortOrder(GetOption.SortOrder.ASCEND).withLimit(headLimit).withKeysOnly(true).build();
        ByteSequence queue = EtcdConnection.bytes(headPrefix);
        TxnResponse response = EtcdErrors.await("acquiring " + what, connection.client().getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, ByteSequence.EMPTY, PutOption.builder().withLeaseId(lease.id()).build()),
                        Op.get(key, GetOption.DEFAULT), Op.get(queue, head))
                .commit(), deadline.forRequest(connection.timeout()));
        if (!response.isSucceeded()) {
            return null;
        }
        long created = response.getGetResponses().get(0).getKvs().get(0).getCreateRevision();
        java.util.TreeMap<Long, ByteSequence> older = new java.util.TreeMap<>();
        for (io.etcd.jetcd.KeyValue kv : response.getGetResponses().get(1).getKvs()) {
            if (kv.getCreateRevision() < created) {
                older.put(kv.getCreateRevision(), kv.getKey());
            }
        }
        return new Queued(created, rule.holds(older));
    }

    /** True when first, false when the own key went with its lease, null on timeout. */
    private Boolean awaitTurn(ByteSequence key, long created, Deadline deadline) throws InterruptedException {
        KeyQueue.Turn turn = queue.awaitTurn(key, created, rule);
        try {
            return turn.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw EtcdErrors.map("waiting for " + what, e.getCause());
        } finally {
            turn.cancel(true);
        }
    }

    /**
     * Deletes a key this lock put and waits for it, bounded; if etcd does not confirm in time the
     * delete goes on in the background until it does or the lease is gone.
     */
    private void withdraw(ByteSequence key, EtcdSession.Lease lease, int slot) {
        withdraw(key, lease, slot, Deadline.after(connection.timeout()));
    }

    private void withdraw(ByteSequence key, EtcdSession.Lease lease, int slot, Deadline deadline) {
        try {
            EtcdErrors.await("releasing " + what, queue.remove(key, lease, slot), deadline.forRequest(connection.timeout()));
        } catch (RuntimeException e) {
            LOG.warn("Releasing {} is not confirmed yet; it goes on in the background: {}", what, e.toString());
        }
    }

    private void withdrawInBackground(ByteSequence key, EtcdSession.Lease lease, int slot) {
        queue.remove(key, lease, slot);
    }

    /** A held lock; a guarded write compares its key's create revision (the fencing token) on the server. */
    final class Held extends AbstractHeldLock {
        private final ByteSequence key;
        private final int slot;
        private final EtcdSession.Lease lease;

        Held(ByteSequence key, int slot, long createRevision, EtcdSession.Lease lease) {
            super(name, new FencingToken(createRevision), () -> connection.session().validUntil(lease));
            this.key = key;
            this.slot = slot;
            this.lease = lease;
        }

        ByteSequence key() {
            return key;
        }

        boolean belongsTo(EtcdConnection other) {
            return connection == other;
        }

        void watchSession() {
            bindTo(connection.sessionState(), "etcd", "lease");
            if (!connection.session().isLive() || !connection.session().lease().equals(lease)) {
                markLost("the etcd session was interrupted while the lock was being acquired");
            }
        }

        @Override
        protected void release(boolean wasLost) {
            // Also after a loss: a lease that survived a cut connection still holds the key. While the
            // channel is down the delete waits for it in the background rather than block the caller.
            if (connection.session().isLive()) {
                withdraw(key, lease, slot);
            } else {
                withdrawInBackground(key, lease, slot);
            }
        }
    }
}
