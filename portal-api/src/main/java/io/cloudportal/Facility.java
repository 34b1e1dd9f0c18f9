package io.cloudportal;

/** The building blocks a driver can provide. */
public enum Facility {
    /** Service registration and discovery ({@link io.cloudportal.registry.Registry}). */
    REGISTRY,
    /** Named mutual-exclusion locks ({@link io.cloudportal.lock.Lock}). */
    LOCK,
    /** Named counting semaphores ({@link io.cloudportal.lock.Semaphore}). */
    SEMAPHORE,
    /** Named read-write locks ({@link io.cloudportal.lock.ReadWriteLock}). */
    READ_WRITE_LOCK,
    /** Named leader elections ({@link io.cloudportal.leader.LeaderElection}). */
    LEADER_ELECTION,
    /** Named counters on the server ({@link io.cloudportal.coordination.Counter}). */
    COUNTER,
    /** Named count-down latches on the server ({@link io.cloudportal.coordination.CountDownLatch}). */
    COUNT_DOWN_LATCH,
    /** Named barriers and double barriers on the server ({@link io.cloudportal.coordination.Barrier}, {@link io.cloudportal.coordination.DoubleBarrier}). */
    BARRIER,
    /** Key-value configuration with watches ({@link io.cloudportal.kv.KvStore}). */
    KV_STORE,
    /** Publishing messages to topics ({@link io.cloudportal.messaging.Publisher}). */
    PUBLISHER,
    /** Consuming messages from topics ({@link io.cloudportal.messaging.Subscriber}). */
    SUBSCRIBER
}
