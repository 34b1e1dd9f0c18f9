package io.cloudportal.tck;

/** Faults a driver's fixture may be able to inject; a fault contract runs when it can. */
public enum Fault {
    /** Stop the server and start it again on the same data. */
    SERVER_RESTART,
    /** Expire one client's session (ZooKeeper session, etcd lease) while the server stays up. */
    SESSION_EXPIRY,
    /** Cut one client's connection (through a loopback proxy) long enough for the session to be suspended, then restore it. */
    CONNECTION_CUT
}
