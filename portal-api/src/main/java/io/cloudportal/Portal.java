package io.cloudportal;

import io.cloudportal.internal.Connector;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.lock.Lock;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.registry.Registry;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * An open connection to a coordination or messaging backend, and the entry point of Portal.
 * The URL's scheme picks the driver, as a JDBC URL picks a JDBC driver:
 *
 * <pre>{@code
 * try (Portal portal = Portal.connect("zookeeper://localhost:2181/app")) {
 *     try (HeldLock held = portal.lock("orders").acquire(Duration.ofSeconds(10))) { ... }
 * }
 * }</pre>
 *
 * <p>One connection serves every facility its driver provides; closing it closes everything
 * opened from it, in order, and is idempotent. A facility the driver does not provide fails at
 * once with {@link UnsupportedFacilityException}. Its {@code toString()} shows the URL with
 * credentials hidden.
 */
public interface Portal extends AutoCloseable {

    /**
     * Opens a connection from a URL; options may be given as query parameters.
     *
     * @param url e.g. {@code zookeeper://h1:2181,h2:2181/app?sessionTimeout=15s} or {@code memory://test}
     * @return the open connection
     * @throws ConfigurationException if the URL is malformed, names an unknown option, or no driver serves its scheme
     * @throws UnavailableException if the servers cannot be reached in time
     */
    static Portal connect(String url) {
        return Connector.connect(url, Map.of());
    }

    /**
     * Opens a connection from a URL and options (which must not repeat a query parameter with another value).
     *
     * @param url the URL
     * @param options option name to value, e.g. {@code sessionTimeout → 15s}
     * @return the open connection
     * @throws ConfigurationException if the URL or an option cannot be used
     * @throws UnavailableException if the servers cannot be reached in time
     */
    static Portal connect(String url, Map<String, String> options) {
        return Connector.connect(url, options);
    }

    /**
     * Opens a connection from properties: {@code <prefix>.url} and {@code <prefix>.<option>}.
     * The environment overrides them: {@code PORTAL_<PREFIX>_URL} replaces the URL and
     * {@code PORTAL_<PREFIX>_<OPTION>} an option ({@code sessionTimeout} ↔ {@code SESSION_TIMEOUT}),
     * so credentials can stay out of files.
     *
     * @param properties the properties, e.g. loaded from {@code application.properties}
     * @param prefix e.g. {@code registry}
     * @return the open connection
     * @throws ConfigurationException if no URL is configured or a value cannot be used
     * @throws UnavailableException if the servers cannot be reached in time
     */
    static Portal connect(Properties properties, String prefix) {
        return Connector.connect(properties, prefix, System.getenv());
    }

    /**
     * The name of the driver serving this connection, e.g. {@code zookeeper}.
     *
     * @return the driver name
     */
    String driverName();

    /**
     * What the driver provides.
     *
     * @return its facilities and guarantees
     */
    Capabilities capabilities();

    /**
     * The service registry of this connection.
     *
     * @return the registry
     * @throws UnsupportedFacilityException if the driver has no registry
     */
    Registry registry();

    /**
     * A named lock.
     *
     * @param name the lock's name; see {@link io.cloudportal.spi.Rules#name}
     * @return the lock
     * @throws UnsupportedFacilityException if the driver has no locks
     */
    Lock lock(String name);

    /**
     * A named counting semaphore.
     *
     * @param name the semaphore's name; see {@link io.cloudportal.spi.Rules#name}
     * @param permits how many holders it admits at once, 1 to {@link io.cloudportal.lock.Semaphore#MAX_PERMITS};
     *                the same for every client of this name (see {@link io.cloudportal.lock.Semaphore})
     * @return the semaphore
     * @throws UnsupportedFacilityException if the driver has no semaphores
     * @throws InvalidArgumentException if the name or the number of permits breaks its rule, or this
     *         connection already uses the name with another number of permits
     */
    io.cloudportal.lock.Semaphore semaphore(String name, int permits);

    /**
     * A named read-write lock.
     *
     * @param name the lock's name; see {@link io.cloudportal.spi.Rules#name}
     * @return the read-write lock
     * @throws UnsupportedFacilityException if the driver has no read-write locks
     */
    io.cloudportal.lock.ReadWriteLock readWriteLock(String name);

    /**
     * A named counter on the server, starting at 0; every client of the name shares it.
     *
     * @param name the counter's name; see {@link io.cloudportal.spi.Rules#name}
     * @return the counter
     * @throws UnsupportedFacilityException if the driver has no counters
     */
    io.cloudportal.coordination.Counter counter(String name);

    /**
     * A named count-down latch on the server; every client of the name shares it.
     *
     * @param name the latch's name; see {@link io.cloudportal.spi.Rules#name}
     * @return the latch
     * @throws UnsupportedFacilityException if the driver has no latches
     */
    io.cloudportal.coordination.CountDownLatch countDownLatch(String name);

    /**
     * A named barrier on the server; every client of the name shares it.
     *
     * @param name the barrier's name; see {@link io.cloudportal.spi.Rules#name}
     * @return the barrier
     * @throws UnsupportedFacilityException if the driver has no barriers
     */
    io.cloudportal.coordination.Barrier barrier(String name);

    /**
     * A named double barrier on the server for {@code members} members; this handle is one of
     * them. Every member of a name must give the same number.
     *
     * @param name the barrier's name; see {@link io.cloudportal.spi.Rules#name}
     * @param members how many members enter before any passes, at least 1
     * @return one member of the barrier
     * @throws InvalidArgumentException if the name or the number is not allowed, or this
     *         connection gave the name another number before
     * @throws UnsupportedFacilityException if the driver has no barriers
     */
    io.cloudportal.coordination.DoubleBarrier doubleBarrier(String name, int members);

    /**
     * A named leader election.
     *
     * @param name the election's name
     * @return the election
     * @throws UnsupportedFacilityException if the driver has no elections
     */
    LeaderElection leaderElection(String name);

    /**
     * The key-value store of this connection.
     *
     * @return the store
     * @throws UnsupportedFacilityException if the driver has no KV store
     */
    KvStore kvStore();

    /**
     * The publisher of this connection. Closing it waits for what was published through it and
     * makes that handle refuse further use; the connection stays open, and the next call returns
     * a new publisher (so try-with-resources around {@code portal.publisher()} is fine). Closing
     * the connection closes every publisher.
     *
     * @return the publisher
     * @throws UnsupportedFacilityException if the driver cannot publish
     */
    Publisher publisher();

    /**
     * The subscriber of this connection. Closing it closes the subscriptions made through it and
     * makes that handle refuse further use; the connection stays open, and the next call returns
     * a new subscriber.
     *
     * @return the subscriber
     * @throws UnsupportedFacilityException if the driver cannot subscribe
     */
    Subscriber subscriber();

    /**
     * The session state now.
     *
     * @return the state
     */
    ConnectionState state();

    /**
     * Listens to session state transitions.
     *
     * @param listener called on Portal's listener executor, in order
     * @return a handle that removes the listener
     */
    Watch onStateChange(ConnectionStateListener listener);

    /**
     * Attaches an observer that hears this connection's publishes, handler runs, retries, dead
     * letters, lock waits and losses and leadership changes, on any driver: how
     * {@code portal-micrometer} and {@code portal-opentelemetry} see a connection. Nothing is
     * observed until one is attached, and an unobserved connection pays nothing for the hooks.
     *
     * @param observer the observer
     * @return a handle that detaches it
     */
    Watch observe(io.cloudportal.observation.PortalObserver observer);

    /**
     * The native client (or a driver-specific handle) for what Portal does not cover.
     *
     * @param type e.g. {@code CuratorFramework.class}
     * @param <T> that type
     * @return the object, or empty if the driver has none of that type
     */
    <T> Optional<T> unwrap(Class<T> type);

    /** Closes every facility opened from this connection, then the connection. Idempotent. */
    @Override
    void close();
}
