package io.cloudportal.spi;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * What the portable layer gives a driver when it opens a connection.
 *
 * @param url the parsed URL (its {@code toString()} is redacted)
 * @param options the merged options, already checked against {@link PortalDriver#options()}
 * @param operationTimeout the bound on every blocking call that takes no timeout of its own
 * @param connectionId a short id for this connection, for thread names and log lines
 * @param observer the connection's observers as one, for what only the driver sees (an etcd lease's
 *        renewal); it does nothing while none is attached
 */
public record DriverContext(PortalUrl url, Options options, Duration operationTimeout, String connectionId,
                            io.cloudportal.observation.PortalObserver observer) {

    /**
     * A context without observers, for a driver's own tests.
     *
     * @param url the parsed URL
     * @param options the checked options
     * @param operationTimeout the bound on blocking calls
     * @param connectionId the connection's id
     */
    public DriverContext(PortalUrl url, Options options, Duration operationTimeout, String connectionId) {
        this(url, options, operationTimeout, connectionId, new io.cloudportal.observation.PortalObserver() { });
    }

    /**
     * A factory of daemon threads named {@code portal-<connectionId>-<purpose>-<n>}, so that a
     * thread dump shows what each thread is for and tests can prove none outlives the connection.
     *
     * @param purpose what the threads do, e.g. "consumer"
     * @return the factory
     */
    public ThreadFactory threadFactory(String purpose) {
        return NamedThreads.factory("portal-" + connectionId + "-" + purpose);
    }
}
