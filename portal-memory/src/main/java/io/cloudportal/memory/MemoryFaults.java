package io.cloudportal.memory;

/**
 * Fault injection for a {@code memory://} connection, so that applications (and the TCK) can
 * rehearse what a real backend does to them. Obtain it with
 * {@code portal.unwrap(MemoryFaults.class)}.
 */
public interface MemoryFaults {

    /**
     * Expires this connection's session as a ZooKeeper session expiry or a lost etcd lease
     * would: the state goes SUSPENDED, EXPIRED, then RECONNECTED with a new session. Held locks
     * are lost (their holders are told), leadership is revoked before another candidate is
     * elected and the candidacy rejoins, registrations disappear and are restored with their
     * latest data. KV watches and subscriptions are not affected.
     */
    void expireSession();
}
