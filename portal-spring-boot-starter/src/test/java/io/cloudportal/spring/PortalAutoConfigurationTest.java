package io.cloudportal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.leader.LeadershipEvent;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter in real Spring contexts, on {@code memory://} (the portable layer every driver shares). */
class PortalAutoConfigurationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final String backend = "memory://spring-" + UUID.randomUUID();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(io.cloudportal.spring.autoconfigure.PortalAutoConfiguration.class));

    @Test
    void portalUrlGivesThePortalBeanWhichClosesWithTheContext() {
        AtomicReference<Portal> seen = new AtomicReference<>();
        runner.withPropertyValues("portal.url=" + backend).run(context -> {
            Portal portal = context.getBean(Portal.class);
            seen.set(portal);
            assertThat(portal.driverName()).isEqualTo("memory");
            assertThat(context).hasSingleBean(PortalTemplate.class).hasSingleBean(PortalLocks.class);
            assertThat(context.getBean(PortalConnections.class).names()).containsExactly(PortalProperties.DEFAULT_CONNECTION);
        });
        assertThat(seen.get().state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void aWrongUrlFailsStartupNamingThePropertyAndTheRule() {
        runner.withPropertyValues("portal.url=memroy://typo").run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = rootPortalFailure(context.getStartupFailure());
            assertThat(failure).isInstanceOf(PortalStartupException.class);
            assertThat(((PortalStartupException) failure).property()).isEqualTo("portal.url");
            assertThat(failure.getMessage()).startsWith("portal.url cannot be used").contains("memroy");
            var analysis = new io.cloudportal.spring.autoconfigure.PortalStartupFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("portal.url", "no driver on the classpath serves scheme 'memroy'");
            assertThat(analysis.getAction()).startsWith("Fix portal.url");
            try (var factories = PortalStartupException.class.getResourceAsStream("/META-INF/spring.factories")) {
                assertThat(new String(factories.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).as("what Boot loads its analyzers from")
                        .contains("FailureAnalyzer=", io.cloudportal.spring.autoconfigure.PortalStartupFailureAnalyzer.class.getName());
            }
        });
        runner.withPropertyValues("portal.url=memroy://typo", "portal.fail-fast=false").run(context -> assertThat(
                rootPortalFailure(context.getStartupFailure())).as("a wrong URL fails even when the backend may be down")
                .hasMessageStartingWith("portal.url cannot be used"));
        runner.withPropertyValues("portal.connections.events.url=").run(context -> assertThat(rootPortalFailure(context.getStartupFailure()))
                .hasMessageStartingWith("portal.connections.events.url is not set"));
        runner.run(context -> assertThat(rootPortalFailure(context.getStartupFailure())).hasMessageStartingWith("portal.url is not set"));
    }

    @Test
    void namedConnectionsAreReachedByNameAndOnlyAnUnambiguousOneIsThePortalBean() {
        runner.withPropertyValues("portal.connections.locks.url=" + backend, "portal.connections.events.url=" + backend + "-events")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(Portal.class).doesNotHaveBean(PortalTemplate.class);
                    PortalConnections connections = context.getBean(PortalConnections.class);
                    assertThat(connections.names()).containsExactly("locks", "events");
                    assertThat(connections.get("events").driverName()).isEqualTo("memory");
                });
        runner.withPropertyValues("portal.connections.only.url=" + backend).run(context -> assertThat(context).hasSingleBean(Portal.class));
    }

    @Test
    void healthFollowsEachConnectionsSessionState() {
        runner.withPropertyValues("portal.url=" + backend).run(context -> {
            HealthIndicator indicator = (HealthIndicator) ((CompositeHealthContributor) context.getBean("portalHealthContributor", HealthContributor.class))
                    .getContributor(PortalProperties.DEFAULT_CONNECTION);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            assertThat(indicator.health().getDetails()).containsEntry("driver", "memory").containsEntry("state", "CONNECTED");
            context.getBean(Portal.class).close();
            assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void aListenerConsumesRetriesDeadLettersAndIsInTheEndpoint() {
        runner.withPropertyValues("portal.url=" + backend).withUserConfiguration(Billing.class).run(context -> {
            Billing billing = context.getBean(Billing.class);
            PortalTemplate template = context.getBean(PortalTemplate.class);
            List<String> deadLetters = new CopyOnWriteArrayList<>();
            Portal portal = context.getBean(Portal.class);
            try (Subscription dlt = portal.subscriber().subscribe(SubscribeOptions.group(
                    portal.subscriber().deadLetterTopic(SubscribeOptions.group("orders", "billing")), "audit"),
                    delivery -> deadLetters.add(delivery.message().payloadAsString()))) {
                template.send("orders", "order-1", "flaky").get(10, TimeUnit.SECONDS);
                template.send("orders", "order-2", "poison").get(10, TimeUnit.SECONDS);
                template.send("orders", "order-3", "fine").get(10, TimeUnit.SECONDS);
                await().atMost(PATIENCE).until(() -> billing.billed.containsAll(List.of("flaky", "fine")) && deadLetters.contains("poison"));
            }
            assertThat(billing.attempts.get("flaky")).hasValue(2);
            assertThat(billing.attempts.get("poison")).hasValue(3);
            assertThat(billing.billed).containsExactlyInAnyOrder("flaky", "fine");
            Map<String, Object> endpoint = context.getBean(io.cloudportal.spring.autoconfigure.PortalEndpoint.class).portal();
            assertThat(endpoint.get("listeners").toString()).contains("Billing.bill", "topic=orders", "group=billing", "lag=0");
            assertThat(endpoint.get("connections").toString()).contains("driver=memory", "state=CONNECTED", "LOCK");
        });
    }

    @Test
    void typedPayloadsGoThroughTheCodecBeanBothWays() {
        Shipping shipping = new Shipping();
        runner.withPropertyValues("portal.url=" + backend).withBean(io.cloudportal.messaging.Codec.class, io.cloudportal.jackson.JsonCodec::create)
                .withBean(Shipping.class, () -> shipping).run(context -> {
                    context.getBean(PortalTemplate.class).send("parcels", "p-1", new Parcel("p-1", 1200)).get(10, TimeUnit.SECONDS);
                    await().atMost(PATIENCE).until(() -> !shipping.parcels.isEmpty());
                    assertThat(shipping.parcels).containsExactly(new Parcel("p-1", 1200));
                    assertThat(shipping.contentTypes).containsExactly("application/json");
                });
    }

    @Test
    void aTypedListenerWithoutACodecFailsStartupNamingIt() {
        runner.withPropertyValues("portal.url=" + backend).withBean(Shipping.class, Shipping::new).run(context ->
                assertThat(context.getStartupFailure()).hasStackTraceContaining("Shipping.ship takes a " + Parcel.class.getName()
                        + " payload, which needs a Codec bean"));
    }

    record Parcel(String id, int weight) {
    }

    static class Shipping {
        final List<Parcel> parcels = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();

        @PortalListener(topic = "parcels", group = "shipping")
        void ship(Parcel parcel, io.cloudportal.messaging.Message message) {
            contentTypes.add(message.headers().get(io.cloudportal.messaging.Message.CONTENT_TYPE_HEADER));
            parcels.add(parcel);
        }
    }

    @Test
    void shutdownDrainsARunningHandlerBeforeTheConnectionCloses() throws Exception {
        Slow slow = new Slow();
        runner.withPropertyValues("portal.url=" + backend).withBean(Slow.class, () -> slow).run(context -> {
            context.getBean(PortalTemplate.class).send("reports", "r", "quarterly").get(10, TimeUnit.SECONDS);
            assertThat(slow.started.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        });
        assertThat(slow.finished).hasValue(1);
        // Acknowledged on the way out: a new member of the group is not handed it again.
        List<String> again = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect(backend); Portal publisher = Portal.connect(backend);
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group("reports", "archive"), d -> again.add(d.message().payloadAsString()))) {
            publisher.publisher().publish(io.cloudportal.messaging.Message.of("reports", "r", "next")).get(10, TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> again.contains("next"));
            assertThat(again).containsExactly("next");
        }
    }

    @Test
    void aCandidateIsGrantedOnStartAndRevokedOnShutdown() {
        Scheduler scheduler = new Scheduler();
        runner.withPropertyValues("portal.url=" + backend, "spring.application.name=shop").withBean(Scheduler.class, () -> scheduler)
                .run(context -> {
                    await().atMost(PATIENCE).until(() -> scheduler.events.size() == 1);
                    assertThat(scheduler.events.get(0).type()).isEqualTo(LeadershipEvent.Type.ELECTED);
                    assertThat(scheduler.events.get(0).candidateId()).startsWith("shop-");
                    assertThat(context.getBean(io.cloudportal.spring.autoconfigure.PortalEndpoint.class).portal().get("candidacies").toString())
                            .contains("election=housekeeping", "leader=true");
                });
        assertThat(scheduler.events).extracting(LeadershipEvent::type).containsExactly(LeadershipEvent.Type.ELECTED, LeadershipEvent.Type.REVOKED);
    }

    @Test
    void locksRunAJobOnlyWhereHeld() {
        runner.withPropertyValues("portal.url=" + backend).run(context -> {
            PortalLocks locks = context.getBean(PortalLocks.class);
            try (Portal other = Portal.connect(backend)) {
                AtomicInteger ran = new AtomicInteger();
                try (var held = other.lock("nightly").acquire(PATIENCE)) {
                    assertThat(locks.runIfHeld("nightly", Duration.ZERO, h -> ran.incrementAndGet())).isFalse();
                }
                AtomicReference<Long> token = new AtomicReference<>();
                AtomicReference<Object> listed = new AtomicReference<>();
                assertThat(locks.runIfHeld("nightly", PATIENCE, h -> {
                    ran.incrementAndGet();
                    token.set(h.fencingToken().value());
                    listed.set(context.getBean(io.cloudportal.spring.autoconfigure.PortalEndpoint.class).portal().get("heldLocks"));
                })).isTrue();
                assertThat(listed.get()).as("the endpoint while the job runs").isEqualTo(List.of("nightly"));
                assertThat(locks.held()).isEmpty();
                assertThat(ran).hasValue(1);
                assertThat(token.get()).isPositive();
            }
        });
    }

    @Test
    void aMeterRegistryGetsPortalsMeters() {
        runner.withPropertyValues("portal.url=" + backend).withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            context.getBean(PortalTemplate.class).send("orders", "o", "x").get(10, TimeUnit.SECONDS);
            assertThat(context.getBean(MeterRegistry.class).get("messaging.client.sent.messages").counter().count()).isEqualTo(1);
            assertThat(context.getBean(MeterRegistry.class).get("portal.session.connected").gauge().value()).isEqualTo(1);
        });
    }

    private static Throwable rootPortalFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PortalStartupException) {
                return cause;
            }
        }
        return failure;
    }

    @Configuration(proxyBeanMethods = false)
    static class Billing {
        final List<String> billed = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> attempts = new java.util.concurrent.ConcurrentHashMap<>();

        @PortalListener(topic = "orders", group = "billing", maxAttempts = 3)
        void bill(String order, Delivery delivery) {
            int attempt = attempts.computeIfAbsent(order, o -> new AtomicInteger()).incrementAndGet();
            assertThat(delivery.attempt()).isEqualTo(attempt);
            if (order.equals("poison") || order.equals("flaky") && attempt == 1) {
                throw new IllegalStateException("cannot bill " + order);
            }
            billed.add(order);
        }

        @Bean
        String unrelated() {
            return "a bean without listeners";
        }
    }

    /** Its handler runs until the context begins to close, so closing must wait for it. */
    static class Slow implements org.springframework.context.ApplicationListener<org.springframework.context.event.ContextClosedEvent> {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger finished = new AtomicInteger();

        @Override
        public void onApplicationEvent(org.springframework.context.event.ContextClosedEvent event) {
            release.countDown();
        }

        @PortalListener(topic = "reports", group = "archive")
        void archive(String report) throws InterruptedException {
            started.countDown();
            release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            finished.incrementAndGet();
        }
    }

    static class Scheduler implements PortalCandidate {
        final List<LeadershipEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public String election() {
            return "housekeeping";
        }

        @Override
        public void granted(LeadershipEvent event) {
            events.add(event);
        }

        @Override
        public void revoked(LeadershipEvent event) {
            events.add(event);
        }
    }
}
