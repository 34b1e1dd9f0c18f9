package io.cloudportal.examples.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * Two instances of a web service register themselves; a client calls the service by name through a
 * {@code @LoadBalanced RestClient}; one instance stops and the next call goes to the other. The same
 * on ZooKeeper and on etcd: only {@code portal.url} differs. (Its own package, so that the shop's
 * component scan does not find these applications.)
 */
class ShopDiscoveryIT {

    @ParameterizedTest
    @ValueSource(strings = {"zookeeper", "etcd"})
    void aServiceIsCalledByNameAndAStoppedInstanceIsNoLongerCalled(String backend) {
        Supplier<EmbeddedServer> server = backend.equals("etcd") ? EmbeddedEtcd::new : EmbeddedZooKeeper::new;
        try (EmbeddedServer running = server.get()) {
            running.start();
            String url = "--portal.url=" + running.url() + "/discovery";
            try (ConfigurableApplicationContext one = greeter(url, "one"); ConfigurableApplicationContext two = greeter(url, "two");
                 ConfigurableApplicationContext caller = new SpringApplicationBuilder(Caller.class).web(WebApplicationType.NONE)
                         .run(url, "--spring.application.name=caller", "--spring.cloud.loadbalancer.cache.enabled=false")) {
                RestClient client = caller.getBean(RestClient.Builder.class).build();
                Set<String> answered = new HashSet<>();
                for (int i = 0; i < 4; i++) {
                    answered.add(client.get().uri("http://greeter/hello").retrieve().body(String.class));
                }
                assertThat(answered).as("round robin over both instances").containsExactlyInAnyOrder("one", "two");

                one.close();
                for (int i = 0; i < 4; i++) {
                    assertThat(client.get().uri("http://greeter/hello").retrieve().body(String.class))
                            .as("call %d after instance one stopped", i + 1).isEqualTo("two");
                }
            }
        }
    }

    private static ConfigurableApplicationContext greeter(String url, String greeting) {
        // Arguments, not builder properties: those are defaults, below the shop's application.properties on this classpath.
        return new SpringApplicationBuilder(Greeter.class).run(url, "--spring.application.name=greeter", "--server.port=0",
                "--server.address=127.0.0.1", "--portal.discovery.host=127.0.0.1", "--greeting=" + greeting);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @RestController
    static class Greeter {
        @Value("${greeting}")
        String greeting;

        @GetMapping("/hello")
        String hello() {
            return greeting;
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Caller {
        @Bean
        @LoadBalanced
        RestClient.Builder loadBalanced() {
            return RestClient.builder();
        }
    }
}
