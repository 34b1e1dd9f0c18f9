package io.cloudportal.spring.autoconfigure;

import io.cloudportal.spring.discovery.PortalServiceRegistry;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.ListableBeanFactory;

/** The registrations for the endpoint; a class of its own so that nothing loads the discovery types without Spring Cloud. */
final class DiscoveryView {

    private DiscoveryView() {
    }

    static Map<String, String> registrations(ListableBeanFactory beans) {
        Map<String, String> all = new TreeMap<>();
        beans.getBeansOfType(PortalServiceRegistry.class).values().forEach(registry -> all.putAll(registry.registered()));
        return all;
    }
}
