package io.cloudportal;

/**
 * The state of a connection's session (a ZooKeeper session, an etcd lease kept alive by Portal,
 * a broker connection). Every handle bound to the session — a held lock, a candidacy, a
 * registration, a watch — follows it.
 */
public enum ConnectionState {
    /** Connected; the session is valid. */
    CONNECTED,
    /** The connection is interrupted; the session may still be valid. Locks and leadership are treated as lost. */
    SUSPENDED,
    /** The connection is back and the session survived, or a new session was established after an expiry. */
    RECONNECTED,
    /** The session expired: everything bound to it is gone and is being restored where Portal restores it. */
    EXPIRED,
    /** The connection was closed by its owner. Terminal. */
    CLOSED
}
