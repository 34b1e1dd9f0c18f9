package io.cloudportal;

/**
 * Guarantees a driver may or may not give. A driver declares the ones it gives; the TCK holds
 * it to each declared guarantee and proves each undeclared one really is absent where that can
 * be observed, so a declaration cannot hide a bug.
 */
public enum Guarantee {
    /** Held locks carry a fencing token that strictly increases across successive holders. */
    FENCING_TOKENS,
    /** Keys can be written with a time to live after which the server removes them. */
    KV_TTL,
    /** A KV watch resumes after a reconnect with no event lost or repeated, or reports a resync. */
    KV_WATCH_RESUME,
    /**
     * Each PUT event of a KV watch carries the value that change wrote. Without it (a backend
     * that keeps no history, such as ZooKeeper) every change still produces one event, in order,
     * but its value is the one read right after, which may already be newer.
     */
    KV_WATCH_VALUES,
    /**
     * A KV watch from a revision ({@link io.cloudportal.kv.KvStore#watch(String, long, io.cloudportal.kv.KvListener)})
     * replays the history after it: one event per change, in order, each with the value it wrote,
     * or a RESYNC first where that history was compacted. Without it (a backend that keeps no
     * history, such as ZooKeeper) the catch-up is each changed key's state now, one event per key.
     */
    KV_WATCH_HISTORY,
    /**
     * {@link io.cloudportal.kv.KvStore#transaction()}: conditions and writes on several keys committed
     * atomically by the server, optionally guarded by a held lock that the server checks in the
     * same step.
     */
    KV_TRANSACTIONS,
    /** Messages with the same key are delivered in the order they were published. */
    ORDER_PER_KEY,
    /** Messages are kept by the server: a consumer group that joins after a publish still gets the message. */
    PERSISTENCE,
    /** Members of one consumer group share the messages of a topic (competing consumers). */
    CONSUMER_GROUPS,
    /** Every broadcast subscriber gets every message. */
    BROADCAST,
    /** A message whose handler throws, or whose consumer dies, is delivered again. */
    REDELIVERY,
    /** After a bounded number of failed attempts a message goes to a dead-letter destination. */
    DEAD_LETTER,
    /** A message can be published for delivery after a delay. */
    DELAYED_DELIVERY,
    /**
     * The server keeps a topic's history: a subscription may start from the earliest message
     * kept, the latest, or a time ({@link io.cloudportal.messaging.StartPosition}), and a group's
     * position can be moved back ({@link io.cloudportal.messaging.Subscriber#resetGroup}).
     */
    REPLAY,
    /**
     * A group subscription tells how many messages of its share are not handled yet
     * ({@link io.cloudportal.messaging.Subscription#lag()}), without a call to the server.
     */
    CONSUMER_LAG,
    /** Publishing to a topic that does not exist creates it (otherwise publish fails with a clear error). */
    TOPIC_AUTO_CREATE
}
