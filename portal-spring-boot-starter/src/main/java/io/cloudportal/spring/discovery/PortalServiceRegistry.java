package io.cloudportal.spring.discovery;

import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.registry.Registration;
import io.cloudportal.spring.PortalConnections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
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

    private final PortalConnections connections;
    private final Portal connection;
    private final Map<String, Registered> registered = new ConcurrentHashMap<>();

    /** One registration: its handle (which also cancels one waiting for its connection), and the status others see. */
    private static final class Registered {
        private final AtomicReference<Registration> registration = new AtomicReference<>();
        private volatile Watch handle = () -> { };
        private volatile String status = "UP";
    }

    /**
     * @param connections the application's connections
     * @param connection the discovery connection; one without a REGISTRY registers nothing (logged)
     */
    public PortalServiceRegistry(PortalConnections connections, Portal connection) {
        this.connections = connections;
        this.connection = connection;
    }

    /** Registers now, or, on a connection the application started without ({@code portal.fail-fast=false}), once it opens. */
    @Override
    public void register(PortalRegistration registration) {
        Registered entry = new Registered();
        Registered previous = registered.put(registration.getInstanceId(), entry);
        if (previous != null) {
            previous.handle.close();
        }
        entry.handle = connections.whenOpen(connection, open -> {
            if (!open.capabilities().facilities().contains(Facility.REGISTRY)) {
                LOG.info("{} is not registered: the discovery connection has no REGISTRY (portal.discovery.connection names one that has)",
                        registration);
                return null;
            }
            Registration made = open.registry().register(registration.toPortal(entry.status));
            entry.registration.set(made);
            LOG.info("Registered {} in Portal's registry", registration);
            return made;
        });
    }

    @Override
    public void deregister(PortalRegistration registration) {
        Registered removed = registered.remove(registration.getInstanceId());
        if (removed != null) {
            removed.handle.close();
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
        registered.forEach((id, entry) -> {
            if (entry.registration.get() != null) {
                statuses.put(id, entry.status);
            }
        });
        return statuses;
    }

    @Override
    public void close() {
        registered.values().forEach(entry -> entry.handle.close());
        registered.clear();
    }

    /** Sets the status others see, e.g. {@code OUT_OF_SERVICE} to take this instance out of load balancing. */
    @Override
    public void setStatus(PortalRegistration registration, String status) {
        Registered entry = registered.get(registration.getInstanceId());
        if (entry == null) {
            return;
        }
        entry.status = status;
        Registration made = entry.registration.get();
        if (made != null) {
            made.update(registration.toPortal(status));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getStatus(PortalRegistration registration) {
        Registered entry = registered.get(registration.getInstanceId());
        return (T) (entry == null ? null : entry.status);
    }
}
