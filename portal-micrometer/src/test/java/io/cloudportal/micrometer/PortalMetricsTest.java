package io.cloudportal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.memory.MemoryFaults;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.registry.ServiceInstance;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The meters a connection's work produces, on the memory driver (which runs the same portable layer as every driver). */
class PortalMetricsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String backend = "memory://metrics-" + UUID.randomUUID();

    @Test
    void publishesHandlerRunsRetriesAndDeadLettersAreCounted() throws Exception {
        List<String> ids = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect(backend); Watch ignored = PortalMetrics.bind(portal, registry)) {
            try (Subscription subscription = portal.subscriber().subscribe(SubscribeOptions.group("orders", "billing").withMaxAttempts(2)
                    .withRetryBackoff(Duration.ofMillis(10)), delivery -> {
                        ids.add(delivery.messageId());
                        if (delivery.message().payloadAsString().equals("poison")) {
                            throw new IllegalStateException("cannot bill it");
                        }
                    })) {
                portal.publisher().publish(Message.of("orders", "order-7", "fine")).get(10, TimeUnit.SECONDS);
                portal.publisher().publish(Message.of("orders", "order-8", "poison")).get(10, TimeUnit.SECONDS);
                await().atMost(PATIENCE).until(() -> count("portal.messaging.dead_letters") == 1);
            }
        }
        assertThat(count("messaging.client.sent.messages")).isEqualTo(2);
        assertThat(registry.get("messaging.client.operation.duration").tag("messaging.destination.name", "orders").timer().count()).isEqualTo(2);
        assertThat(count("messaging.client.consumed.messages")).as("deliveries: one, and the poison twice").isEqualTo(3);
        assertThat(count("portal.messaging.retries")).isEqualTo(1);
        assertThat(registry.get("messaging.process.duration").tag("portal.outcome", "ack").timer().count()).isEqualTo(1);
        assertThat(registry.get("messaging.process.duration").tag("portal.outcome", "retry").tag("error.type", "IllegalStateException")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get("messaging.process.duration").tag("portal.outcome", "dead_letter").timer().count()).isEqualTo(1);
        assertThat(registry.get("portal.messaging.dead_letters").tag("messaging.consumer.group.name", "billing").counter().count()).isEqualTo(1);
        assertNoTagValueIn(Set.copyOf(ids));
        assertNoTagValueIn(Set.of("order-7", "order-8", "fine", "poison"));
    }

    @Test
    void aLockWaitedForHeldAndLostThroughSessionExpiryShowsTheWaitTheHoldAndOneLoss() throws Exception {
        try (Portal first = Portal.connect(backend); Portal second = Portal.connect(backend);
             Watch a = PortalMetrics.bind(first, registry); Watch b = PortalMetrics.bind(second, registry)) {
            HeldLock held = first.lock("nightly").acquire(PATIENCE);
            assertThat(second.lock("nightly").tryAcquire(Duration.ofMillis(100))).isEmpty();
            held.close();
            HeldLock next = second.lock("nightly").acquire(PATIENCE);
            second.unwrap(MemoryFaults.class).orElseThrow().expireSession();
            await().atMost(PATIENCE).until(() -> !next.isHeld());
            next.close();
        }
        assertThat(registry.get("portal.lock.wait.duration").tag("portal.outcome", "timeout").timer().count()).isEqualTo(1);
        assertThat(registry.get("portal.lock.wait.duration").tag("portal.outcome", "acquired").timer().count()).isEqualTo(2);
        assertThat(registry.get("portal.lock.hold.duration").tag("portal.ended", "released").timer().count()).isEqualTo(1);
        assertThat(registry.get("portal.lock.hold.duration").tag("portal.ended", "lost").timer().count()).isEqualTo(1);
        assertThat(registry.get("portal.lock.lost").tag("portal.lock.name", "nightly").counter().count()).isEqualTo(1);
        assertThat(registry.get("portal.lock.lost").counter().getId().getTag("portal.reason")).isEqualTo("connection_suspended");
        assertThat(registry.get("portal.session.transitions").tag("portal.session.state", "EXPIRED").counter().count()).isEqualTo(1);
    }

    @Test
    void aFailoverShowsOneLeadershipChangePerCandidate() throws Exception {
        try (Portal first = Portal.connect(backend); Portal second = Portal.connect(backend);
             Watch a = PortalMetrics.bind(first, registry); Watch b = PortalMetrics.bind(second, registry)) {
            Candidacy leader = first.leaderElection("scheduler").join("node-1", event -> { });
            await().atMost(PATIENCE).until(leader::isLeader);
            Candidacy standby = second.leaderElection("scheduler").join("node-2", event -> { });
            leader.close();
            await().atMost(PATIENCE).until(standby::isLeader);
            await().atMost(PATIENCE).until(() -> count("portal.leadership.changes") == 3);
            assertThat(registry.get("portal.leadership.changes").tag("portal.leadership", "elected").counter().count()).isEqualTo(2);
            assertThat(registry.get("portal.leadership.changes").tag("portal.leadership", "revoked").counter().count()).isEqualTo(1);
            assertThat(registry.get("portal.leadership.tenure").timer().count()).as("terms that ended").isEqualTo(1);
            standby.close();
        }
    }

    @Test
    void aGroupsLagIsTheSumOverItsMembersAndItsGaugeGoesWithTheLastOfThem() throws Exception {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        try (Portal portal = Portal.connect(backend)) {
            SubscribeOptions options = SubscribeOptions.group("shipments", "packing");
            Subscription before = portal.subscriber().subscribe(options, delivery -> gate.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
            try (Watch ignored = PortalMetrics.bind(portal, registry)) {
                Subscription after = portal.subscriber().subscribe(options, delivery -> gate.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
                for (int i = 0; i < 30; i++) {
                    portal.publisher().publish(Message.of("shipments", "parcel-" + i, "box")).get(10, TimeUnit.SECONDS);
                }
                await().atMost(PATIENCE).until(() -> lag("shipments", "packing") == 30);
                assertThat(before.lag().getAsLong() + after.lag().getAsLong()).as("the members' lags").isEqualTo(30);
                assertThat(registry.get("portal.messaging.consumer.lag").gauge().getId().getTags()).extracting(Tag::getKey)
                        .containsExactlyInAnyOrder("messaging.system", "messaging.destination.name", "messaging.consumer.group.name");
                gate.countDown();
                await().atMost(PATIENCE).until(() -> lag("shipments", "packing") == 0);
                before.close();
                assertThat(registry.find("portal.messaging.consumer.lag").gauges()).as("gauges while a member is open").hasSize(1);
                after.close();
                assertThat(registry.find("portal.messaging.consumer.lag").gauges()).as("gauges once the last member closed").isEmpty();
            } finally {
                gate.countDown();
                before.close();
            }
        }
        assertNoTagValueIn(Set.of("parcel-1", "box"));
    }

    private double lag(String topic, String group) {
        var gauge = registry.find("portal.messaging.consumer.lag").tag("messaging.destination.name", topic)
                .tag("messaging.consumer.group.name", group).gauge();
        return gauge == null ? -1 : gauge.value();
    }

    @Test
    void registrationsPutBackAfterASessionExpiryAreCountedByService() throws Exception {
        try (Portal portal = Portal.connect(backend); Watch ignored = PortalMetrics.bind(portal, registry);
             var a = portal.registry().register(ServiceInstance.of("billing", "billing-1", "10.0.0.1", 8080));
             var b = portal.registry().register(ServiceInstance.of("billing", "billing-2", "10.0.0.2", 8080))) {
            portal.unwrap(MemoryFaults.class).orElseThrow().expireSession();
            await().atMost(PATIENCE).until(() -> count("portal.registry.registrations.restored") == 2);
        }
        assertThat(registry.get("portal.registry.registrations.restored").tag("portal.registry.service", "billing").counter().count())
                .isEqualTo(2);
        assertNoTagValueIn(Set.of("billing-1", "billing-2", "10.0.0.1", "10.0.0.2"));
    }

    @Test
    void watchEventsAreCountedByType() throws Exception {
        try (Portal portal = Portal.connect(backend); Watch ignored = PortalMetrics.bind(portal, registry)) {
            List<String> heard = new CopyOnWriteArrayList<>();
            try (Watch watch = portal.kvStore().watch("config/", event -> heard.add(event.type().name()))) {
                portal.kvStore().put("config/a", "1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                portal.kvStore().put("config/b", "2".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                portal.kvStore().delete("config/a");
                await().atMost(PATIENCE).until(() -> heard.size() == 3);
            }
        }
        assertThat(registry.get("portal.kv.watch.events").tag("portal.kv.prefix", "config/").tag("portal.kv.event", "put").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("portal.kv.watch.events").tag("portal.kv.event", "delete").counter().count()).isEqualTo(1);
    }

    private double count(String name) {
        return registry.find(name).meters().stream().mapToDouble(PortalMetricsTest::countOf).sum();
    }

    private static double countOf(Meter meter) {
        double sum = 0;
        for (var measurement : meter.measure()) {
            if (measurement.getStatistic() == io.micrometer.core.instrument.Statistic.COUNT) {
                sum += measurement.getValue();
            }
        }
        return sum;
    }

    private void assertNoTagValueIn(Set<String> forbidden) {
        Set<String> values = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream()).map(Tag::getValue)
                .collect(Collectors.toSet());
        assertThat(values).as("tag values (no message ids, keys or payloads)").doesNotContainAnyElementsOf(forbidden);
    }
}
