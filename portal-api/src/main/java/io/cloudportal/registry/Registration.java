package io.cloudportal.registry;

/**
 * A live registration. It lasts as long as the connection's session or lease, and Portal
 * restores it, with its latest data, after a reconnect or a session expiry. Closing it
 * deregisters the instance; closing is idempotent.
 */
public interface Registration extends AutoCloseable {

    /**
     * The instance as last registered or updated.
     *
     * @return the current data of the registration
     */
    ServiceInstance instance();

    /**
     * Replaces the registered data (host, port, metadata). The service and id must not change.
     *
     * @param updated the new data
     * @throws io.cloudportal.InvalidArgumentException if the service or id differ, or a value breaks a rule
     * @throws io.cloudportal.ClosedException if the registration was closed
     */
    void update(ServiceInstance updated);

    /** Deregisters the instance. */
    @Override
    void close();
}
