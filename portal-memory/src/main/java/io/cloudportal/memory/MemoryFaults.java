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

    /**
     * Interrupts this connection and restores it before its session times out, as a network
     * cut would: the state goes SUSPENDED, then RECONNECTED with the same session. Held locks
     * are lost (a holder cannot know it still owns a lock it cannot reach the server about) and
     * leadership is revoked, the candidacy rejoining at the back; registrations survive.
     */
    void interruptConnection();

    /**
     * Restarts the backend keeping its data, as a quick server restart would: every connection
     * to this {@code memory://} name is interrupted as by {@link #interruptConnection()}.
     */
    void restartServer();
}
