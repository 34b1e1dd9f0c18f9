package io.cloudportal.kv;

import java.time.Duration;
import java.util.Optional;

/**
 * Single-key writes that the server refuses once their guard is lost: each one is checked against
 * the guard's record on the server in the same atomic step as the write (a one-operation
 * {@link KvTransaction}), so a holder that was paused past its session, or cut off, writes
 * nothing, also before it knows. Obtain a view from {@link KvStore#guardedBy(io.cloudportal.lock.HeldLock)}
 * or {@link KvStore#guardedBy(io.cloudportal.leader.Candidacy)}; it is bound to that lock, or to the
 * term the candidacy led in when the view was made, for as long as it is used.
 *
 * <pre>{@code
 * try (HeldLock lock = portal.lock("jobs/42").acquire(Duration.ofSeconds(10))) {
 *     GuardedWrites fenced = portal.kvStore().guardedBy(lock);
 *     fenced.put("jobs/42/result", result);   // LockLostException, and nothing written, if the lock was lost
 * }
 * }</pre>
 *
 * <p>Each method checks its input before any I/O, as the unguarded {@link KvStore} methods do.
 * When the guard was lost the write fails with {@link io.cloudportal.LockLostException} (a lock or
 * permit) or {@link io.cloudportal.LeadershipLostException} (a term), whatever its own condition
 * would have said: the guard is checked first.
 */
public interface GuardedWrites {

    /**
     * Writes a key, creating or replacing it, if the guard still holds.
     *
     * @param key the key
     * @param value the value bytes
     * @return what was stored, with its new version
     */
    KeyValue put(String key, byte[] value);

    /**
     * Writes a key with a time to live (see {@link KvStore#put(String, byte[], Duration)}), if the guard still holds.
     *
     * @param key the key
     * @param value the value bytes
     * @param ttl the time to live; at least a second
     * @return what was stored, with its new version
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not give {@link io.cloudportal.Guarantee#KV_TTL}
     */
    KeyValue put(String key, byte[] value, Duration ttl);

    /**
     * Writes a key if the guard still holds and its version is {@code expectedVersion} (0: only if absent).
     *
     * @param key the key
     * @param expectedVersion the version read before, or 0 to create
     * @param value the new value
     * @return what was stored if the version matched; empty if it had changed (the guard held)
     */
    Optional<KeyValue> compareAndSet(String key, long expectedVersion, byte[] value);

    /**
     * Deletes a key if the guard still holds.
     *
     * @param key the key
     * @return true if it existed (and is now deleted), false if it was absent (the guard held)
     */
    boolean delete(String key);
}
