package io.cloudportal.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.Portal;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.spring.autoconfigure.PortalAutoConfiguration;
import io.cloudportal.spring.test.AutoConfigurePortalMemory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.TestContextManager;

/**
 * An application configured for ZooKeeper and Kafka, tested with no server: every connection runs
 * on memory://. Spring's TestContext framework is driven directly: its JUnit extension needs the
 * JUnit that Spring Boot's BOM brings, which the reactor does not import (examples/spring-boot uses
 * the annotation the usual way, beside {@code @SpringBootTest}).
 */
class AutoConfigurePortalMemoryTest {

    @SpringBootTest(classes = Shop.Application.class, properties = {
            "portal.url=zookeeper://127.0.0.1:1/never", "portal.options.sessionTimeout=15s",
            "portal.connections.events.url=kafka://127.0.0.1:1", "portal.connections.events.options.acks=all"})
    @AutoConfigurePortalMemory
    static class Shop {

        @SpringBootConfiguration
        @ImportAutoConfiguration(PortalAutoConfiguration.class)
        static class Application {
        }

        @Autowired
        PortalConnections connections;

        @Autowired
        Portal portal;
    }

    @Test
    void everyConnectionRunsOnOneMemoryBackendWithoutItsOptions() throws Exception {
        TestContextManager spring = new TestContextManager(Shop.class);
        Shop test = new Shop();
        spring.prepareTestInstance(test);
        try {
            assertThat(test.connections.names()).containsExactly(PortalProperties.DEFAULT_CONNECTION, "events");
            assertThat(test.connections.asMap().values()).extracting(Portal::driverName).containsOnly("memory");
            try (HeldLock held = test.portal.lock("slice-" + System.nanoTime()).acquire(Duration.ofSeconds(5))) {
                assertThat(held.isHeld()).isTrue();
            }
        } finally {
            spring.afterTestClass();
        }
    }
}
