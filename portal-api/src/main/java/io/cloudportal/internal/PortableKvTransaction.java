package io.cloudportal.internal;

import io.cloudportal.ClosedException;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.kv.KvTransaction;
import io.cloudportal.kv.KvTransactionResult;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.spi.KvTransactionSpec;
import io.cloudportal.spi.KvTransactionSpec.Check;
import io.cloudportal.spi.KvTransactionSpec.Condition;
import io.cloudportal.spi.KvTransactionSpec.Operation;
import io.cloudportal.spi.Rules;
import io.cloudportal.spi.TransactionalKvStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Checks each step as it is added, so a transaction the backend would refuse fails before any I/O. */
final class PortableKvTransaction implements KvTransaction {

    private final DefaultPortal portal;
    private final PortableKvStore store;
    private final TransactionalKvStore driver;
    private final List<Condition> conditions = new ArrayList<>();
    private final List<Operation> operations = new ArrayList<>();
    private final Set<String> written = new HashSet<>();
    private long valueBytes;
    private HeldLock guard;
    /** The candidacy whose term is the guard, if it is one: its refusal is a lost leadership, not a lost lock. */
    private io.cloudportal.leader.Candidacy guardingCandidacy;
    private boolean committed;

    PortableKvTransaction(DefaultPortal portal, PortableKvStore store, TransactionalKvStore driver) {
        this.portal = portal;
        this.store = store;
        this.driver = driver;
    }

    @Override
    public KvTransaction requireVersion(String key, long version) {
        if (version < 0) {
            throw Rules.invalid("version", Long.toString(version), "must be 0 (absent) or a version read before");
        }
        return condition(new Condition(store.key(key), Check.VERSION, version));
    }

    @Override
    public KvTransaction requireAbsent(String key) {
        return condition(new Condition(store.key(key), Check.ABSENT, 0));
    }

    @Override
    public KvTransaction requirePresent(String key) {
        return condition(new Condition(store.key(key), Check.PRESENT, 0));
    }

    private KvTransaction condition(Condition condition) {
        ensureNotCommitted();
        roomForAnotherStep();
        conditions.add(condition);
        return this;
    }

    @Override
    public KvTransaction put(String key, byte[] value) {
        return put(key, value, (Duration) null);
    }

    @Override
    public KvTransaction put(String key, byte[] value, Duration ttl) {
        if (ttl != null) {
            Rules.duration("ttl", ttl, false);
            if (ttl.compareTo(PortableKvStore.MIN_TTL) < 0) {
                throw Rules.invalid("ttl", ttl.toString(), "must be at least " + PortableKvStore.MIN_TTL.toSeconds()
                        + "s (backends count TTLs in seconds)");
            }
            portal.requireGuarantee(io.cloudportal.Guarantee.KV_TTL, "a transaction's put() with a ttl");
        }
        String checked = store.key(key);
        byte[] copy = store.value(value).clone();
        if (valueBytes + copy.length > portal.limits().maxValueBytes()) {
            throw Rules.invalid("value", copy.length + " bytes for key '" + checked + "'", "must leave the transaction's values within "
                    + portal.limits().maxValueBytes() + " bytes together (the backend's limit for one request); "
                    + valueBytes + " are taken");
        }
        operation(new Operation(checked, copy, ttl));
        valueBytes += copy.length;
        return this;
    }

    @Override
    public KvTransaction delete(String key) {
        return operation(new Operation(store.key(key), null));
    }

    private KvTransaction operation(Operation operation) {
        ensureNotCommitted();
        roomForAnotherStep();
        if (!written.add(operation.key())) {
            throw Rules.invalid("key", operation.key(), "may be written once per transaction (backends refuse two writes of one key"
                    + " in one request)");
        }
        operations.add(operation);
        return this;
    }

    @Override
    public KvTransaction guardedBy(HeldLock lock) {
        ensureNotCommitted();
        HeldLock driverLock = PortableLock.driverLockOf(portal, lock, "guard");
        if (guard != null) {
            throw Rules.invalid("guard", lock.toString(), "is one too many: a transaction takes one guard");
        }
        guard = driverLock;
        return this;
    }

    @Override
    public KvTransaction guardedBy(io.cloudportal.leader.Candidacy leader) {
        ensureNotCommitted();
        io.cloudportal.leader.Candidacy driverCandidacy = PortableLeaderElection.driverCandidacyOf(portal, leader, "guard");
        if (guard != null) {
            throw Rules.invalid("guard", leader.toString(), "is one too many: a transaction takes one guard");
        }
        if (!(driverCandidacy instanceof io.cloudportal.spi.TermGuard terms)) {
            throw Rules.invalid("guard", leader.toString(), "cannot guard a write: the " + portal.driverName() + " driver has no term guards");
        }
        guard = terms.termGuard();
        guardingCandidacy = leader;
        return this;
    }

    @Override
    public KvTransactionResult commit() {
        portal.ensureOpen("commit()");
        ensureNotCommitted();
        if (operations.isEmpty()) {
            throw new InvalidArgumentException("the transaction has no operation to commit; add a put or a delete");
        }
        committed = true;
        KvTransactionSpec spec = new KvTransactionSpec(conditions, operations, Optional.ofNullable(guard));
        try {
            return DriverCalls.guard(portal, "commit()", () -> driver.commit(spec));
        } catch (io.cloudportal.LockLostException refused) {
            if (guardingCandidacy == null) {
                throw refused;
            }
            throw new io.cloudportal.LeadershipLostException("the transaction wrote nothing: " + guardingCandidacy + " no longer leads in term "
                    + guard.fencingToken().value() + " on the server", refused);
        }
    }

    private void ensureNotCommitted() {
        if (committed) {
            throw new ClosedException("the transaction was committed already; start a new one with kvStore().transaction()");
        }
    }

    private void roomForAnotherStep() {
        if (conditions.size() + operations.size() >= MAX_STEPS) {
            throw Rules.invalid("transaction", (conditions.size() + operations.size() + 1) + " steps", "must hold at most " + MAX_STEPS
                    + " conditions and operations together");
        }
    }
}
