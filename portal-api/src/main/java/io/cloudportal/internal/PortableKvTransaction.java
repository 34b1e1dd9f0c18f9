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
    /** What the user called, for errors: commit(), or a guarded put() made of this transaction. */
    private final String operation;
    private final PortableKvStore store;
    private final TransactionalKvStore driver;
    private final List<Condition> conditions = new ArrayList<>();
    private final List<Operation> operations = new ArrayList<>();
    private final Set<String> written = new HashSet<>();
    private long valueBytes;
    private WriteGuard guard;
    private boolean committed;

    PortableKvTransaction(DefaultPortal portal, PortableKvStore store, TransactionalKvStore driver, String operation) {
        this.portal = portal;
        this.operation = operation;
        this.store = store;
        this.driver = driver;
    }

    @Override
    public PortableKvTransaction requireVersion(String key, long version) {
        if (version < 0) {
            throw Rules.invalid("version", Long.toString(version), "must be 0 (absent) or a version read before");
        }
        return condition(new Condition(store.key(key), Check.VERSION, version));
    }

    @Override
    public PortableKvTransaction requireAbsent(String key) {
        return condition(new Condition(store.key(key), Check.ABSENT, 0));
    }

    @Override
    public PortableKvTransaction requirePresent(String key) {
        return condition(new Condition(store.key(key), Check.PRESENT, 0));
    }

    private PortableKvTransaction condition(Condition condition) {
        ensureNotCommitted();
        roomForAnotherStep();
        conditions.add(condition);
        return this;
    }

    @Override
    public PortableKvTransaction put(String key, byte[] value) {
        return put(key, value, (Duration) null);
    }

    @Override
    public PortableKvTransaction put(String key, byte[] value, Duration ttl) {
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
    public PortableKvTransaction delete(String key) {
        return operation(new Operation(store.key(key), null));
    }

    private PortableKvTransaction operation(Operation operation) {
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
        return guard(WriteGuard.of(portal, lock));
    }

    @Override
    public KvTransaction guardedBy(io.cloudportal.leader.Candidacy leader) {
        ensureNotCommitted();
        return guard(WriteGuard.of(portal, leader));
    }

    PortableKvTransaction guard(WriteGuard writeGuard) {
        ensureNotCommitted();
        if (guard != null) {
            throw Rules.invalid("guard", writeGuard.toString(), "is one too many: a transaction takes one guard");
        }
        guard = writeGuard;
        return this;
    }

    @Override
    public KvTransactionResult commit() {
        portal.ensureOpen(operation);
        ensureNotCommitted();
        if (operations.isEmpty()) {
            throw new InvalidArgumentException("the transaction has no operation to commit; add a put or a delete");
        }
        committed = true;
        KvTransactionSpec spec = new KvTransactionSpec(conditions, operations, Optional.ofNullable(guard).map(WriteGuard::driverLock));
        try {
            return DriverCalls.guard(portal, operation, () -> driver.commit(spec));
        } catch (io.cloudportal.LockLostException refused) {
            throw guard == null ? refused : guard.refused(refused);
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
