package io.cloudportal.spi;

import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.lock.Lock;
import io.cloudportal.registry.Registry;
import java.util.Optional;

/**
 * One open connection of a driver. The portable layer validates every argument before it calls
 * a method here, asks only for facilities the driver declared, wraps listeners so they run on
 * Portal's executor, and closes the facilities it handed out before it closes the connection.
 * A driver implements the methods of the facilities it declares; the others keep their default.
 */
public interface DriverConnection extends AutoCloseable {

    /**
     * The registry of this connection (called once; the result is cached).
     *
     * @return the registry
     */
    default Registry registry() {
        throw new UnsupportedOperationException("registry");
    }

    /**
     * A named lock.
     *
     * @param name a validated lock name
     * @return the lock
     */
    default Lock lock(String name) {
        throw new UnsupportedOperationException("lock");
    }

    /**
     * A named counting semaphore, as a lock that admits {@code permits} holders at once: each
     * acquire takes one permit, an {@link AbstractHeldLock} like the driver's locks (so it can
     * guard writes). The portable layer gives it the {@link io.cloudportal.lock.Semaphore} face.
     *
     * @param name a validated semaphore name
     * @param permits a validated number of permits
     * @return the semaphore's permits, acquired one at a time
     */
    default Lock semaphore(String name, int permits) {
        throw new UnsupportedOperationException("semaphore");
    }

    /**
     * A named counter's storage; the portable layer runs the update loop over it.
     *
     * @param name a validated counter name
     * @return the counter's cell
     */
    default CounterCell counter(String name) {
        throw new UnsupportedOperationException("counter");
    }

    /**
     * A named count-down latch's storage; the portable layer makes count-downs idempotent over it.
     *
     * @param name a validated latch name
     * @return the latch's cell
     */
    default LatchCell countDownLatch(String name) {
        throw new UnsupportedOperationException("countDownLatch");
    }

    /**
     * A named barrier's storage.
     *
     * @param name a validated barrier name
     * @return the barrier's cell
     */
    default BarrierCell barrier(String name) {
        throw new UnsupportedOperationException("barrier");
    }

    /**
     * A named double barrier's storage; the portable layer runs the protocol over it.
     *
     * @param name a validated barrier name
     * @return the barrier's cell, one per member handle
     */
    default DoubleBarrierCell doubleBarrier(String name) {
        throw new UnsupportedOperationException("doubleBarrier");
    }

    /**
     * A named read-write lock: two of the driver's locks, whose holdings are
     * {@link AbstractHeldLock}s (so they can guard writes).
     *
     * @param name a validated lock name
     * @return the read-write lock
     */
    default ReadWriteLocks readWriteLock(String name) {
        throw new UnsupportedOperationException("readWriteLock");
    }

    /**
     * A named election.
     *
     * @param name a validated election name
     * @return the election
     */
    default LeaderElection leaderElection(String name) {
        throw new UnsupportedOperationException("leaderElection");
    }

    /**
     * The KV store of this connection (called once; the result is cached).
     *
     * @return the store
     */
    default KvStore kvStore() {
        throw new UnsupportedOperationException("kvStore");
    }

    /**
     * The publishing half of this connection's messaging (called once; the result is cached and
     * shared by every publisher handle).
     *
     * @return the driver's publisher
     */
    default DriverPublisher publisher() {
        throw new UnsupportedOperationException("publisher");
    }

    /**
     * The consuming half of this connection's messaging, over which the portable layer runs its
     * delivery engine (called once; the result is cached).
     *
     * @return the driver's subscriber
     */
    default DriverSubscriber subscriber() {
        throw new UnsupportedOperationException("subscriber");
    }

    /**
     * The input rules of this connection where its configuration moves them away from
     * {@link PortalDriver#limits()} (Kafka's {@code max.request.size}, for instance).
     *
     * @return the connection's limits, or empty for the driver's
     */
    default Optional<Limits> limits() {
        return Optional.empty();
    }

    /**
     * The session's state machine. The driver reports its client's transitions to it; the
     * portable layer reads the state and adds users' listeners to it.
     *
     * @return the connection's one session state
     */
    SessionState sessionState();

    /**
     * The native client or a driver-specific handle, for what Portal does not cover.
     *
     * @param type the type asked for
     * @param <T> that type
     * @return the object, if this driver has one of that type
     */
    <T> Optional<T> unwrap(Class<T> type);

    /** Closes the connection and whatever it still has open. Called once. */
    @Override
    void close();
}
