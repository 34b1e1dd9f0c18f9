package io.cloudportal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.spring.autoconfigure.PortalAutoConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * One Spring application on a coordination backend picked by {@code portal.url} alone. Its
 * properties come from the KV store and follow a change. With the
 * server down its health goes OUT_OF_SERVICE (suspended), then DOWN once the client gave the
 * session up, and UP again when the server is back; told not to fail fast, it starts while the
 * server is down and joins its election once the server is up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CoordinationBackendContract {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    private EmbeddedServer server;

    /** A new, not yet started server: one per class, shared by its tests. */
    abstract EmbeddedServer newServer();

    @BeforeAll
    void startServer() {
        server = newServer();
        server.start();
    }

    @AfterAll
    void closeServer() {
        server.close();
    }

    EmbeddedServer server() {
        return server;
    }

    /** Options that make the session notice a stopped server in seconds, as production values would in tens. */
    abstract String[] sessionOptions();

    /**
     * Whether the client gives the session up while it cannot reach the server: Curator does once the
     * session timeout has passed; an etcd client cannot know its lease is gone until a server says so.
     */
    abstract boolean expiresWhileUnreachable();

    @Test
    void healthLeavesUpWhileTheServerIsDownAndReturnsWithIt() {
        List<Status> seen = new CopyOnWriteArrayList<>();
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PortalAutoConfiguration.class))
                .withPropertyValues("portal.url=" + server().url() + "/spring-health").withPropertyValues(sessionOptions()).run(context -> {
                    HealthIndicator health = (HealthIndicator) ((CompositeHealthContributor) context.getBean("portalHealthContributor",
                            HealthContributor.class)).getContributor(PortalProperties.DEFAULT_CONNECTION);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    server().stop();
                    try {
                        await().atMost(PATIENCE).until(() -> record(seen, health.health().getStatus()) == Status.OUT_OF_SERVICE);
                        if (expiresWhileUnreachable()) {
                            await().atMost(PATIENCE).until(() -> record(seen, health.health().getStatus()) == Status.DOWN);
                        }
                    } finally {
                        // restart(), not start(): Curator's TestingServer starts again only that way.
                        server().restart();
                    }
                    await().atMost(PATIENCE).until(() -> record(seen, health.health().getStatus()) == Status.UP);
                });
        assertThat(seen).as("statuses: suspended, then (where the client gives up) expired, then back")
                .containsExactlyElementsOf(expiresWhileUnreachable() ? List.of(Status.OUT_OF_SERVICE, Status.DOWN, Status.UP)
                        : List.of(Status.OUT_OF_SERVICE, Status.UP));
    }

    @Test
    void withFailFastOffTheApplicationStartsWhileTheServerIsDownAndCatchesUpWhenItIsBack() {
        String url = server().url() + "/spring-pending";
        PortalAutoConfigurationTest.Scheduler scheduler = new PortalAutoConfigurationTest.Scheduler();
        server().stop();
        try {
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PortalAutoConfiguration.class))
                    .withPropertyValues("portal.url=" + url, "portal.fail-fast=false", "spring.application.name=shop")
                    .withPropertyValues(sessionOptions()).withBean(PortalAutoConfigurationTest.Scheduler.class, () -> scheduler)
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        HealthIndicator health = (HealthIndicator) ((CompositeHealthContributor) context.getBean("portalHealthContributor",
                                HealthContributor.class)).getContributor(PortalProperties.DEFAULT_CONNECTION);
                        Health down = health.health();
                        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(down.getDetails()).containsEntry("state", "NOT_OPEN").containsKey("lastFailure");
                        Portal portal = context.getBean(Portal.class);
                        assertThatThrownBy(() -> portal.lock("nightly")).isInstanceOf(UnavailableException.class)
                                .hasMessageContaining("portal.url").hasMessageContaining("portal.fail-fast=false");
                        assertThat(scheduler.events).as("a candidate waits for its connection").isEmpty();
                        server().restart();
                        await().atMost(PATIENCE).until(() -> health.health().getStatus() == Status.UP);
                        await().atMost(PATIENCE).until(() -> scheduler.events.size() == 1);
                        assertThat(scheduler.events.get(0).type()).isEqualTo(io.cloudportal.leader.LeadershipEvent.Type.ELECTED);
                        try (var held = portal.lock("nightly").acquire(PATIENCE)) {
                            assertThat(held.isHeld()).isTrue();
                        }
                    });
        } finally {
            if (!server().isRunning()) {
                server().restart();
            }
        }
        assertThat(scheduler.events).extracting(io.cloudportal.leader.LeadershipEvent::type)
                .as("the candidacy that joined late leaves with the context")
                .containsExactly(io.cloudportal.leader.LeadershipEvent.Type.ELECTED, io.cloudportal.leader.LeadershipEvent.Type.REVOKED);
    }

    private static Status record(List<Status> seen, Status status) {
        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
            seen.add(status);
        }
        return status;
    }

    @Test
    void aKeyChangedInTheStoreRebindsTheApplicationsProperties() {
        String url = server().url() + "/spring-config";
        try (io.cloudportal.Portal operator = io.cloudportal.Portal.connect(url)) {
            operator.kvStore().put("config/shop/checkout/currency", "EUR".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (org.springframework.context.ConfigurableApplicationContext shop = new org.springframework.boot.builder.SpringApplicationBuilder(
                    PortalConfigTest.Shop.class).web(org.springframework.boot.WebApplicationType.NONE)
                    .run("--portal.url=" + url, "--spring.application.name=shop", "--spring.config.import=portal:")) {
                assertThat(shop.getBean(PortalConfigTest.Checkout.class).getCurrency()).isEqualTo("EUR");
                operator.kvStore().put("config/shop/checkout/currency", "CHF".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                await().atMost(PATIENCE).until(() -> "CHF".equals(shop.getBean(PortalConfigTest.Checkout.class).getCurrency()));
            }
        }
    }
}
