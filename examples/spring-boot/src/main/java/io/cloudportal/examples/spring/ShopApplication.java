package io.cloudportal.examples.spring;

import io.cloudportal.messaging.Codec;
import io.cloudportal.spring.PortalConnections;
import io.cloudportal.spring.PortalTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A shop's back office on Portal: it bills orders from a topic, runs a nightly report on one
 * instance at a time, and lets one instance do the housekeeping. {@code portal.url} in
 * {@code application.properties} picks the coordination backend (memory, ZooKeeper or etcd),
 * {@code portal.connections.events.url} the messaging one (memory, Kafka, RabbitMQ...).
 *
 * <pre>
 * mvn -pl examples/spring-boot exec:java
 * PORTAL_URL=zookeeper://localhost:2181/shop PORTAL_EVENTS_URL=kafka://localhost:9092 mvn -pl examples/spring-boot exec:java
 * </pre>
 */
@SpringBootApplication
@EnableScheduling
public class ShopApplication {

    /** Publishing goes to the messaging connection, not to {@code portal.url}'s. */
    @Bean
    PortalTemplate events(PortalConnections connections, ObjectProvider<Codec> codec) {
        return new PortalTemplate(connections.get("events"), codec.getIfAvailable());
    }

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }
}
