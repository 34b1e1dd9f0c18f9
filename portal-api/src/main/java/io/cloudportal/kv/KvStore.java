package io.cloudportal.kv;

import io.cloudportal.Watch;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Key-value configuration with versions, compare-and-set, keys with a time to live and ordered
 * prefix watches. Obtain it from {@link io.cloudportal.Portal#kvStore()}.
 *
 * <p>Keys are {@code /}-separated paths of non-empty segments, such as {@code app/db/url}
 * (no leading or trailing {@code /}, no {@code .} or {@code ..} segment, no control
 * characters), so that a key means the same on every backend. Every call is bounded by the
 * connection's {@code operationTimeout}.
 */
public interface KvStore {

    /**
     * Reads a key.
     *
     * @param key the key
     * @return its value, or empty if absent
     */
    Optional<KeyValue> get(String key);

    /**
     * Writes a key, creating or replacing it.
     *
     * @param key the key
     * @param value the value bytes
     * @return what was stored, with its new version
     */
    KeyValue put(String key, byte[] value);

    /**
     * Writes a key that the server removes when {@code ttl} passes without another write.
     * The key disappears even if this client dies.
     *
     * @param key the key
     * @param value the value bytes
     * @param ttl the time to live; positive
     * @return what was stored, with its new version
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not give {@link io.cloudportal.Guarantee#KV_TTL}
     */
    KeyValue put(String key, byte[] value, Duration ttl);

    /**
     * Writes a key only if its current version is {@code expectedVersion}; an expected version of
     * {@code 0} means "only if absent".
     *
     * @param key the key
     * @param expectedVersion the version read before, or 0 to create
     * @param value the new value
     * @return what was stored if the condition held; empty if the version had changed
     */
    Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value);

    /**
     * Starts a transaction: conditions and writes on several keys, committed all at once or not at
     * all, optionally guarded by a held lock (see {@link KvTransaction}).
     *
     * @return a new transaction
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not give {@link io.cloudportal.Guarantee#KV_TRANSACTIONS}
     */
    default KvTransaction transaction() {
        throw new io.cloudportal.UnsupportedFacilityException("transactions need KV_TRANSACTIONS, which this KV store does not give");
    }

    /**
     * Single-key writes guarded by a held lock or permit of this connection: the server refuses
     * each once the lock is no longer held by this holder (see {@link GuardedWrites}).
     *
     * @param lock a held lock, permit, read or write lock of this connection
     * @return a view whose writes carry the guard
     * @throws io.cloudportal.InvalidArgumentException if the lock is from another connection or was released (before any I/O)
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not give {@link io.cloudportal.Guarantee#KV_TRANSACTIONS}
     */
    default GuardedWrites guardedBy(io.cloudportal.lock.HeldLock lock) {
        throw new io.cloudportal.UnsupportedFacilityException("guarded writes need KV_TRANSACTIONS, which this KV store does not give");
    }

    /**
     * Single-key writes guarded by the term this candidacy leads in now: the server refuses each
     * once that term has ended, also if the candidacy leads again later (get a new view then).
     *
     * @param leader a candidacy of this connection that leads now
     * @return a view whose writes carry the guard
     * @throws io.cloudportal.LeadershipLostException if it does not lead now (before any I/O)
     * @throws io.cloudportal.InvalidArgumentException if the candidacy is from another connection or was closed
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not give {@link io.cloudportal.Guarantee#KV_TRANSACTIONS}
     */
    default GuardedWrites guardedBy(io.cloudportal.leader.Candidacy leader) {
        throw new io.cloudportal.UnsupportedFacilityException("guarded writes need KV_TRANSACTIONS, which this KV store does not give");
    }

    /**
     * Deletes a key.
     *
     * @param key the key
     * @return true if it existed
     */
    boolean delete(String key);

    /**
     * Lists the keys that start with a prefix.
     *
     * @param prefix a key prefix; empty lists everything in the namespace
     * @return the values, sorted by key
     */
    List<KeyValue> list(String prefix);

    /**
     * Reads the keys that start with a prefix at one point, and which point that was: the entries
     * are what the keys held at the returned revision, all of them at once, however many writers
     * change them meanwhile (unlike {@link #list(String)}, which promises order, not one instant).
     *
     * @param prefix a key prefix; empty reads everything in the namespace
     * @return the entries, sorted by key, and the revision they were read at
     */
    KvSnapshot snapshot(String prefix);

    /**
     * Watches the keys that start with a prefix from a revision on: the first events bring the
     * keys up from their state at {@code afterRevision} (typically a {@link KvSnapshot}'s) to now,
     * and changes follow as {@link #watch(String, KvListener)} delivers them, so that the state at
     * that revision plus the events is the state now, nothing missed and nothing already in the
     * snapshot repeated.
     *
     * <p>Where the driver gives {@link io.cloudportal.Guarantee#KV_WATCH_HISTORY} the catch-up is
     * the history itself, one event per change with the value it wrote; a revision whose history
     * the server no longer keeps (an etcd compaction) starts with a {@link KvEvent.Type#RESYNC}.
     * Without it (ZooKeeper keeps no history) the catch-up is one PUT per key changed since, with
     * its value now, and a DELETE per key gone; it starts with a RESYNC when the driver cannot
     * tell which keys were deleted meanwhile (a revision that was not one of this connection's
     * recent snapshots of that prefix, while keys were created or deleted since).
     *
     * @param prefix a key prefix; empty watches everything in the namespace
     * @param afterRevision the revision whose changes are already known; events come for later ones
     * @param listener called on Portal's listener executor, never concurrently with itself
     * @return the watch; close it to stop
     */
    Watch watch(String prefix, long afterRevision, KvListener listener);

    /**
     * Watches the keys that start with a prefix. Changes made after this returns are delivered,
     * in revision order, without loss; after a reconnect the watch resumes where it was, or
     * delivers a {@link KvEvent.Type#RESYNC} if it cannot.
     *
     * @param prefix a key prefix; empty watches everything in the namespace
     * @param listener called on Portal's listener executor, never concurrently with itself
     * @return the watch; close it to stop
     */
    Watch watch(String prefix, KvListener listener);
}
