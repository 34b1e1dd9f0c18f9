package io.cloudportal.kv;

import io.cloudportal.lock.HeldLock;

/**
 * Writes to several keys that the server commits all at once or not at all, if every condition
 * holds when it commits (etcd {@code Txn}, ZooKeeper {@code multi}). Obtain one from
 * {@link KvStore#transaction()}, add conditions and operations, then {@link #commit()}; each
 * method checks its input before any I/O and returns this transaction.
 *
 * <pre>{@code
 * KvTransactionResult moved = kv.transaction()
 *         .requireVersion("accounts/a", a.version())
 *         .requireVersion("accounts/b", b.version())
 *         .put("accounts/a", debited)
 *         .put("accounts/b", credited)
 *         .guardedBy(heldLock)       // refused by the server if the lock was lost meanwhile
 *         .commit();
 * }</pre>
 *
 * <p>A transaction holds at most {@link #MAX_STEPS} conditions and operations together, each key
 * at most once among the operations, and values whose sum fits the backend's value limit.
 */
public interface KvTransaction {

    /** The most conditions and operations one transaction may hold (etcd refuses more than 128 operations per request). */
    int MAX_STEPS = 64;

    /**
     * Commits only if the key's version is {@code version} then; 0 means the key must be absent.
     *
     * @param key the key
     * @param version a version read before, or 0
     * @return this transaction
     */
    KvTransaction requireVersion(String key, long version);

    /**
     * Commits only if the key is absent then.
     *
     * @param key the key
     * @return this transaction
     */
    KvTransaction requireAbsent(String key);

    /**
     * Commits only if the key is present then, in any version.
     *
     * @param key the key
     * @return this transaction
     */
    KvTransaction requirePresent(String key);

    /**
     * Writes a key, creating or replacing it (as a key without a time to live).
     *
     * @param key the key
     * @param value the value bytes (copied now)
     * @return this transaction
     */
    KvTransaction put(String key, byte[] value);

    /**
     * Writes a key that the server removes when {@code ttl} passes without another write, as
     * {@link KvStore#put(String, byte[], Duration)} does; needs {@link io.cloudportal.Guarantee#KV_TTL}.
     *
     * @param key the key
     * @param value the value, copied
     * @param ttl the time to live; at least a second
     * @return this transaction
     * @throws io.cloudportal.UnsupportedFacilityException if the driver has no TTL keys (before any I/O)
     */
    KvTransaction put(String key, byte[] value, java.time.Duration ttl);

    /**
     * Deletes a key; a key that is absent stays absent.
     *
     * @param key the key
     * @return this transaction
     */
    KvTransaction delete(String key);

    /**
     * Commits only if the lock is still held by this holder at the moment the server commits,
     * checked by the server in the same atomic step: a holder whose lock was taken over (its
     * session expired while it was paused, its connection cut) writes nothing, also before it
     * knows. The lock must come from the connection this transaction's store belongs to.
     *
     * @param lock a held lock of this connection
     * @return this transaction
     */
    KvTransaction guardedBy(HeldLock lock);

    /**
     * Commits only if this candidacy still leads, in the term it leads in now, at the moment the
     * server commits, checked by the server in the same atomic step: a leader whose term ended
     * (its session expired while it was paused, its connection cut) writes nothing, also before it
     * knows. The candidacy must come from the connection this transaction's store belongs to.
     *
     * @param leader a candidacy of this connection that leads now
     * @return this transaction
     * @throws io.cloudportal.LeadershipLostException if it does not lead now (before any I/O)
     */
    KvTransaction guardedBy(io.cloudportal.leader.Candidacy leader);

    /**
     * Commits, or writes nothing. Bounded by the connection's operation timeout.
     *
     * @return whether it committed and, if not, the first condition that did not hold
     * @throws io.cloudportal.LockLostException if the guard's lock is no longer held (nothing was written)
     * @throws io.cloudportal.LeadershipLostException if the guarding candidacy's term ended (nothing was written)
     * @throws io.cloudportal.InvalidArgumentException if the transaction has no operation
     * @throws io.cloudportal.UnavailableException if the server did not answer in time (the outcome is then unknown)
     * @throws io.cloudportal.ClosedException if the transaction was committed already
     */
    KvTransactionResult commit();
}
