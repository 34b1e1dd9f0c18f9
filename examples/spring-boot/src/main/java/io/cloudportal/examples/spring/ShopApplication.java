package io.cloudportal.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A shop's back office on Portal: it bills orders from a topic, runs a nightly report on one
 * instance at a time, and lets one instance do the housekeeping. {@code portal.url} in
 * {@code application.properties} picks the backend: memory (no servers), ZooKeeper or etcd.
 *
 * <pre>
 * mvn -pl examples/spring-boot exec:java
 * PORTAL_URL=zookeeper://localhost:2181/shop mvn -pl examples/spring-boot exec:java
 * </pre>
 */
@SpringBootApplication
@EnableScheduling
public class ShopApplication {

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }
}
