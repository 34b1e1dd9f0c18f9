package io.cloudportal.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.Portal;
import io.cloudportal.registry.ServiceInstance;
import io.cloudportal.spring.autoconfigure.PortalAutoConfiguration;
import io.cloudportal.spring.autoconfigure.PortalDiscoveryAutoConfiguration;
import io.cloudportal.spring.discovery.PortalDiscoveryClient;
import io.cloudportal.spring.discovery.PortalRegistration;
import io.cloudportal.spring.discovery.PortalServiceRegistry;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Spring Cloud's discovery and service registry over Portal's registry, on memory://. */
class PortalDiscoveryTest {

    private final String backend = "memory://discovery-" + UUID.randomUUID();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PortalAutoConfiguration.class, PortalDiscoveryAutoConfiguration.class))
            .withPropertyValues("portal.url=" + backend, "spring.application.name=greeter", "portal.discovery.host=10.0.0.7",
                    "portal.discovery.port=8080", "portal.discovery.metadata.zone=eu-1");

    @Test
    void registeredInstancesAreDiscoveredUntilTakenOutOfServiceOrDeregistered() {
        runner.run(context -> {
            PortalRegistration registration = context.getBean(PortalRegistration.class);
            PortalServiceRegistry registry = context.getBean(PortalServiceRegistry.class);
            PortalDiscoveryClient discovery = context.getBean(PortalDiscoveryClient.class);
            assertThat(registration.getServiceId()).isEqualTo("greeter");
            assertThat(registration.getInstanceId()).startsWith("greeter-");

            registry.register(registration);
            assertThat(discovery.getServices()).containsExactly("greeter");
            assertThat(discovery.getInstances("greeter")).singleElement().satisfies(instance -> {
                assertThat(instance.getUri()).hasToString("http://10.0.0.7:8080");
                assertThat(instance.getMetadata()).containsEntry("zone", "eu-1").containsEntry("status", "UP");
            });
            // A plain Portal client sees the same entry: one registry, whichever library reads it.
            try (Portal plain = Portal.connect(backend)) {
                assertThat(plain.registry().lookup("greeter")).extracting(ServiceInstance::id).containsExactly(registration.getInstanceId());
            }

            assertThat(registry.registered()).containsExactly(java.util.Map.entry(registration.getInstanceId(), "UP"));
            registry.setStatus(registration, "OUT_OF_SERVICE");
            assertThat((String) registry.getStatus(registration)).isEqualTo("OUT_OF_SERVICE");
            assertThat(discovery.getInstances("greeter")).as("instances out of service").isEmpty();
            registry.setStatus(registration, "UP");
            assertThat(discovery.getInstances("greeter")).hasSize(1);

            registry.deregister(registration);
            assertThat(discovery.getInstances("greeter")).isEmpty();
        });
    }

    @Test
    void discoveryCanBeSwitchedOff() {
        runner.withPropertyValues("portal.discovery.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(PortalDiscoveryClient.class).doesNotHaveBean(PortalServiceRegistry.class));
    }
}
