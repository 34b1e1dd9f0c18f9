package io.cloudportal.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The same application moved from memory to ZooKeeper and to etcd by {@code portal.url} alone, on
 * the classpath a user gets by importing portal-bom before Spring Boot's BOM.
 */
class ShopOnServersIT {

    @ParameterizedTest
    @ValueSource(strings = {"zookeeper", "etcd"})
    void theReportAndTheHousekeepingRunOnARealServer(String backend) {
        Supplier<EmbeddedServer> server = backend.equals("etcd") ? EmbeddedEtcd::new : EmbeddedZooKeeper::new;
        try (EmbeddedServer running = server.get()) {
            running.start();
            try (ConfigurableApplicationContext shop = new SpringApplicationBuilder(ShopApplication.class)
                    .run("--portal.url=" + running.url() + "/shop", "--shop.report-every=PT0.1S")) {
                assertThat(shop.getBean(io.cloudportal.Portal.class).driverName()).isEqualTo(backend);
                NightlyReport report = shop.getBean(NightlyReport.class);
                Housekeeper housekeeper = shop.getBean(Housekeeper.class);
                await().atMost(Duration.ofSeconds(30)).until(() -> report.lastToken() > 0 && housekeeper.term() > 0);
            }
        }
    }
}
