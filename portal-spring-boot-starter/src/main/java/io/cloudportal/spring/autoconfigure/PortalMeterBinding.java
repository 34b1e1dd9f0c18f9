package io.cloudportal.spring.autoconfigure;

import io.cloudportal.Watch;
import io.cloudportal.micrometer.PortalMetrics;
import io.cloudportal.spring.PortalConnections;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Binds every connection to the application's {@code MeterRegistry} once all singletons exist, so
 * that it does not matter which auto-configuration made the registry first.
 */
final class PortalMeterBinding implements SmartInitializingSingleton, AutoCloseable {

    private final PortalConnections connections;
    private final ObjectProvider<MeterRegistry> registry;
    private final List<Watch> bindings = new CopyOnWriteArrayList<>();

    PortalMeterBinding(PortalConnections connections, ObjectProvider<MeterRegistry> registry) {
        this.connections = connections;
        this.registry = registry;
    }

    @Override
    public void afterSingletonsInstantiated() {
        registry.ifAvailable(meters -> connections.asMap().values().forEach(portal -> bindings.add(PortalMetrics.bind(portal, meters))));
    }

    @Override
    public void close() {
        bindings.forEach(Watch::close);
        bindings.clear();
    }
}
