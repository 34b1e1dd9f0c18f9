package io.cloudportal.registry;

import io.cloudportal.Watch;
import java.util.List;
import java.util.Set;

/**
 * Service registration and discovery. Obtain it from {@link io.cloudportal.Portal#registry()}.
 *
 * <pre>{@code
 * try (Registration r = portal.registry().register(ServiceInstance.of("orders", "orders-1", "10.0.0.5", 8080))) {
 *     List<ServiceInstance> peers = portal.registry().lookup("orders");
 * }
 * }</pre>
 */
public interface Registry {

    /**
     * Registers an instance for as long as the returned registration is open.
     *
     * @param instance the instance to register
     * @return the live registration
     * @throws io.cloudportal.InvalidArgumentException if a field breaks a rule (checked before any I/O)
     * @throws io.cloudportal.AlreadyExistsException if this connection already registered that service and id
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached in time
     */
    Registration register(ServiceInstance instance);

    /**
     * The instances of a service, served from a watch-fed local cache after the first call.
     *
     * @param service the service name
     * @return its instances sorted by id; empty if none
     * @throws io.cloudportal.UnavailableException if the cache cannot be primed in time
     */
    List<ServiceInstance> lookup(String service);

    /**
     * The names of the services that have at least one instance.
     *
     * @return the service names, sorted
     */
    Set<String> services();

    /**
     * Watches a service. The listener is called once with the current instances, then after each change.
     *
     * @param service the service name
     * @param listener called on Portal's listener executor, never concurrently with itself
     * @return the watch; close it to stop
     */
    Watch watch(String service, RegistryListener listener);
}
