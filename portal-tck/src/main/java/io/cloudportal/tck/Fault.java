package io.cloudportal.tck;

/** Faults a driver's fixture may be able to inject; a fault contract runs when it can. */
public enum Fault {
    /** Stop the server and start it again on the same data. */
    SERVER_RESTART,
    /** Expire one client's session (ZooKeeper session, etcd lease) while the server stays up. */
    SESSION_EXPIRY,
    /** Cut one client's connection (through a loopback proxy) long enough for the session to be suspended, then restore it. */
    CONNECTION_CUT,
    /**
     * Freeze what serves one client, as a stalled process would: connections stay open and nothing
     * answers (SIGSTOP for a server in a child process, a black-holed proxy for one in the JVM).
     * Injected through {@link TckHarness#freeze(io.cloudportal.Portal)}.
     */
    SERVER_FROZEN,
    /**
     * Pause a client process with {@code SIGSTOP} past its session's TTL, then resume it. The
     * contract runs that client as a child JVM on {@link TckHarness#url()}, so the fixture only
     * says whether its server can be reached from another process.
     */
    HOLDER_PAUSED
}
