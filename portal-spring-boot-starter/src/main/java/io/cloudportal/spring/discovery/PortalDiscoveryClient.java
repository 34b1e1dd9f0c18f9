package io.cloudportal.spring.discovery;

import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.registry.Registry;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Spring Cloud's discovery over Portal's registry, so that Spring Cloud LoadBalancer and
 * {@code @LoadBalanced} clients resolve services through ZooKeeper or etcd. Each call reads the
 * registry; an instance whose {@value PortalRegistration#STATUS} is set to anything but {@code UP}
 * is left out (instances registered by plain Portal clients, without a status, are UP).
 */
public final class PortalDiscoveryClient implements DiscoveryClient {

    private final Portal connection;

    /**
     * @param connection the discovery connection; one without a REGISTRY finds nothing, and one the
     *        application started without ({@code portal.fail-fast=false}) throws Portal's
     *        {@code UnavailableException} until it opens
     */
    public PortalDiscoveryClient(Portal connection) {
        this.connection = connection;
    }

    private Registry registry() {
        return connection.capabilities().facilities().contains(Facility.REGISTRY) ? connection.registry() : null;
    }

    @Override
    public String description() {
        return "Portal registry";
    }

    @Override
    public List<ServiceInstance> getInstances(String serviceId) {
        Registry registry = registry();
        if (registry == null) {
            return List.of();
        }
        return registry.lookup(serviceId).stream()
                .filter(instance -> instance.metadata().getOrDefault(PortalRegistration.STATUS, "UP").equals("UP"))
                .map(PortalDiscoveryClient::toSpring).toList();
    }

    private static ServiceInstance toSpring(io.cloudportal.registry.ServiceInstance instance) {
        Map<String, String> metadata = instance.metadata();
        return new DefaultServiceInstance(instance.id(), instance.service(), instance.host(), instance.port(),
                Boolean.parseBoolean(metadata.getOrDefault("secure", "false")), metadata);
    }

    @Override
    public List<String> getServices() {
        Registry registry = registry();
        return registry == null ? List.of() : List.copyOf(registry.services());
    }
}
