package io.cloudportal.internal;

import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Watch;
import io.cloudportal.kv.GuardedWrites;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvListener;
import io.cloudportal.kv.KvSnapshot;
import io.cloudportal.kv.KvStore;
import io.cloudportal.kv.KvTransaction;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.spi.TransactionalKvStore;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/** Validates KV calls before the driver sees them and runs watch listeners on Portal's executor. */
final class PortableKvStore implements KvStore {

    /** Backends count TTLs in whole seconds (etcd leases, ZooKeeper TTL nodes' granularity). */
    static final Duration MIN_TTL = Duration.ofSeconds(1);

    private final DefaultPortal portal;
    private final KvStore driver;

    PortableKvStore(DefaultPortal portal, KvStore driver) {
        this.portal = portal;
        this.driver = driver;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        portal.ensureOpen("get()");
        String checked = key(key);
        return DriverCalls.guard(portal, "get()", () -> driver.get(checked));
    }

    @Override
    public KeyValue put(String key, byte[] value) {
        portal.ensureOpen("put()");
        String checked = key(key);
        value(value);
        return DriverCalls.guard(portal, "put()", () -> driver.put(checked, value));
    }

    @Override
    public KeyValue put(String key, byte[] value, Duration ttl) {
        portal.ensureOpen("put()");
        key(key);
        value(value);
        Rules.duration("ttl", ttl, false);
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw Rules.invalid("ttl", ttl.toString(), "must be at least " + MIN_TTL.toSeconds() + "s (backends count TTLs in seconds)");
        }
        portal.requireGuarantee(Guarantee.KV_TTL, "put() with a ttl");
        return DriverCalls.guard(portal, "put()", () -> driver.put(key, value, ttl));
    }

    @Override
    public Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value) {
        portal.ensureOpen("compareAndSet()");
        key(key);
        value(value);
        if (expectedVersion < 0) {
            throw new InvalidArgumentException("expectedVersion '" + expectedVersion + "' must be 0 (create) or a version read before");
        }
        return DriverCalls.guard(portal, "compareAndSet()", () -> driver.compareAndSet(key, expectedVersion, value));
    }

    @Override
    public boolean delete(String key) {
        portal.ensureOpen("delete()");
        String checked = key(key);
        return DriverCalls.guard(portal, "delete()", () -> driver.delete(checked));
    }

    @Override
    public List<KeyValue> list(String prefix) {
        portal.ensureOpen("list()");
        return driver.list(prefix(prefix));
    }

    @Override
    public KvSnapshot snapshot(String prefix) {
        portal.ensureOpen("snapshot()");
        String checked = prefix(prefix);
        return DriverCalls.guard(portal, "snapshot()", () -> driver.snapshot(checked));
    }

    @Override
    public Watch watch(String prefix, KvListener listener) {
        portal.ensureOpen("watch()");
        prefix(prefix);
        Rules.notNull("listener", listener);
        KvListener delivered = delivered(prefix, listener);
        Watch watch = driver.watch(prefix, delivered);
        return portal.track(new OnceWatch(portal, watch::close));
    }

    @Override
    public Watch watch(String prefix, long afterRevision, KvListener listener) {
        portal.ensureOpen("watch()");
        prefix(prefix);
        if (afterRevision < 0) {
            throw Rules.invalid("afterRevision", Long.toString(afterRevision), "must be 0 (from the start of the history) or a revision read before");
        }
        Rules.notNull("listener", listener);
        KvListener delivered = delivered(prefix, listener);
        Watch watch = DriverCalls.guard(portal, "watch()", () -> driver.watch(prefix, afterRevision, delivered));
        return portal.track(new OnceWatch(portal, watch::close));
    }

    /** The user's listener on its own lane of Portal's executor; the observers hear each event as the driver reports it. */
    private KvListener delivered(String prefix, KvListener listener) {
        Executor lane = portal.lane("KV listener of prefix '" + prefix + "'");
        return event -> {
            if (!portal.observers().none()) {
                portal.observers().watchEvent(portal.driverName(), prefix, event.type());
            }
            lane.execute(() -> listener.changed(event));
        };
    }

    private String prefix(String prefix) {
        return Rules.characters("prefix", Rules.prefix(prefix, portal.limits().maxKeyLength()), portal.limits());
    }

    @Override
    public KvTransaction transaction() {
        portal.ensureOpen("transaction()");
        return transaction("commit()");
    }

    PortableKvTransaction transaction(String operation) {
        portal.requireGuarantee(Guarantee.KV_TRANSACTIONS, operation.equals("commit()") ? "transaction()" : "a guarded " + operation);
        if (!(driver instanceof TransactionalKvStore transactional)) {
            throw new IllegalStateException("the driver declares KV_TRANSACTIONS but its KV store is no TransactionalKvStore");
        }
        return new PortableKvTransaction(portal, this, transactional, operation);
    }

    @Override
    public GuardedWrites guardedBy(HeldLock lock) {
        portal.ensureOpen("guardedBy()");
        portal.requireGuarantee(Guarantee.KV_TRANSACTIONS, "guardedBy()");
        return new PortableGuardedWrites(this, WriteGuard.of(portal, lock));
    }

    @Override
    public GuardedWrites guardedBy(Candidacy leader) {
        portal.ensureOpen("guardedBy()");
        portal.requireGuarantee(Guarantee.KV_TRANSACTIONS, "guardedBy()");
        return new PortableGuardedWrites(this, WriteGuard.of(portal, leader));
    }

    String key(String key) {
        return Rules.characters("key", Rules.key(key, portal.limits().maxKeyLength()), portal.limits());
    }

    byte[] value(byte[] value) {
        return Rules.size("value", value, portal.limits().maxValueBytes());
    }
}
