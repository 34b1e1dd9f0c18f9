package io.cloudportal.spring.discovery;

import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * Spring Cloud's service registry over Portal's: a registration lives as long as this application's
 * session (an ephemeral node on ZooKeeper, a leased key on etcd) and Portal restores it after a
 * session expiry. The status is kept in the instance's metadata under {@value PortalRegistration#STATUS}.
 */
public final class PortalServiceRegistry implements ServiceRegistry<PortalRegistration> {

    private static final Logger LOG = LoggerFactory.getLogger(PortalServiceRegistry.class);

    private final Registry registry;
    private final Map<String, Registered> registered = new ConcurrentHashMap<>();

    private record Registered(Registration handle, String status) {
    }

    /** @param registry the registry of the discovery connection; null if it has none (then registering is skipped, logged) */
    public PortalServiceRegistry(Registry registry) {
        this.registry = registry;
    }

    @Override
    public void register(PortalRegistration registration) {
        if (registry == null) {
            LOG.info("{} is not registered: the discovery connection has no REGISTRY (portal.discovery.connection names one that has)",
                    registration);
            return;
        }
        registered.compute(registration.getInstanceId(), (id, existing) -> {
            if (existing != null) {
                existing.handle().close();
            }
            return new Registered(registry.register(registration.toPortal("UP")), "UP");
        });
        LOG.info("Registered {} in Portal's registry", registration);
    }

    @Override
    public void deregister(PortalRegistration registration) {
        Registered removed = registered.remove(registration.getInstanceId());
        if (removed != null) {
            removed.handle().close();
            LOG.info("Deregistered {}", registration);
        }
    }

    /**
     * The instances registered through this registry now, with their status (the actuator endpoint lists them).
     *
     * @return instance id to status
     */
    public Map<String, String> registered() {
        Map<String, String> statuses = new java.util.TreeMap<>();
        registered.forEach((id, entry) -> statuses.put(id, entry.status()));
        return statuses;
    }

    @Override
    public void close() {
        registered.values().forEach(entry -> entry.handle().close());
        registered.clear();
    }

    /** Sets the status others see, e.g. {@code OUT_OF_SERVICE} to take this instance out of load balancing. */
    @Override
    public void setStatus(PortalRegistration registration, String status) {
        registered.computeIfPresent(registration.getInstanceId(), (id, entry) -> {
            entry.handle().update(registration.toPortal(status));
            return new Registered(entry.handle(), status);
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getStatus(PortalRegistration registration) {
        Registered entry = registered.get(registration.getInstanceId());
        return (T) (entry == null ? null : entry.status());
    }
}
