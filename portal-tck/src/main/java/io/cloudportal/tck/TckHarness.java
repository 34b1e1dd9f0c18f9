package io.cloudportal.tck;

import io.cloudportal.Portal;
import java.util.Set;

/**
 * How the contracts reach a driver's real server. A driver module implements this once and
 * returns it from each contract subclass; the server is started once per test JVM.
 */
public interface TckHarness {

    /**
     * The driver's name, as in the conformance table.
     *
     * @return e.g. {@code zookeeper}
     */
    String driverName();

    /**
     * The URL {@link #connect()} uses; the bad-input contract derives malformed variants of it.
     *
     * @return the URL
     */
    String url();

    /**
     * Opens a new connection to the server; every connection of one run reaches the same
     * backend and namespace, so two connections see each other's locks, keys and messages.
     *
     * @return an open connection
     */
    Portal connect();

    /**
     * Opens a connection like {@link #connect()}, with extra driver options (e.g. a short
     * {@code operationTimeout}); {@link #freeze(Portal)} must work on it.
     *
     * @param options the extra options
     * @return an open connection
     */
    default Portal connect(java.util.Map<String, String> options) {
        throw new UnsupportedOperationException("the " + driverName() + " fixture cannot add options to its connections");
    }

    /**
     * How long a soak that runs for {@code onARealServer} against a server runs on this fixture.
     * A fixture without a server (the memory driver, in process) makes in a few seconds as many
     * attempts and faults as a server makes in the full time, and may shorten it.
     *
     * @param onARealServer the soak's length against a real server
     * @return the length here; the same unless the fixture has no server
     */
    default java.time.Duration soak(java.time.Duration onARealServer) {
        return onARealServer;
    }

    /**
     * The faults this fixture can inject.
     *
     * @return the injectable faults; empty if none
     */
    Set<Fault> faults();

    /**
     * Injects a fault and returns once the server or connection is back (or, for a cut, once
     * the cut is over), so the contract can check what survived.
     *
     * @param fault one of {@link #faults()}
     * @param victim the connection the fault hits (for server-wide faults, any connection)
     * @throws Exception if the fault could not be injected
     */
    void inject(Fault fault, Portal victim) throws Exception;

    /**
     * Freezes what serves a connection until the returned handle is closed ({@link Fault#SERVER_FROZEN}).
     *
     * @param victim the connection that must see no answer
     * @return the handle that thaws it
     * @throws Exception if the fixture cannot freeze
     */
    default AutoCloseable freeze(Portal victim) throws Exception {
        throw new UnsupportedOperationException("the " + driverName() + " fixture cannot freeze its server");
    }

    /**
     * A server that checks credentials, for the credentials contract; started on first call and
     * shared by the tests that ask again. Every driver that takes credentials returns one; empty
     * means the driver takes none (the contract is then not applicable).
     *
     * @return the credentials, or empty
     */
    default java.util.Optional<Credentials> credentials() {
        return java.util.Optional.empty();
    }

    /**
     * Tells whether a thread belongs to the server running inside the test JVM (not to the
     * driver), so the lifecycle contract does not count it as left running by a closed connection.
     *
     * @param thread a live thread
     * @return true if the server owns it
     */
    default boolean isServerThread(Thread thread) {
        return false;
    }
}
