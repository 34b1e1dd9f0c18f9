package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRabbitMq;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ under faults, with the figure that matters asserted to be zero: confirmed messages
 * never consumed. The broker restarts during 10,000 confirmed publishes; the broker closes every
 * client connection; a channel error closes a consumer's channel.
 */
class RabbitMqFaultsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static EmbeddedRabbitMq broker;

    @BeforeAll
    static void needABrokerThisTestControls() {
        Assumptions.assumeTrue(RabbitMqHarness.INSTANCE.server() instanceof EmbeddedRabbitMq,
                "PORTAL_TEST_RABBITMQ_URL names a broker these fault tests must not restart");
        broker = (EmbeddedRabbitMq) RabbitMqHarness.INSTANCE.server();
    }

    /** Publishes numbered messages in windows of confirms, re-sending any that failed, as an application would. */
    private static final class Load {
        final Set<String> confirmed = ConcurrentHashMap.newKeySet();
        final AtomicInteger failedAttempts = new AtomicInteger();
        final AtomicReference<Throwable> broken = new AtomicReference<>();

        Thread run(Publisher publisher, String topic, int count) {
            Thread thread = new Thread(() -> {
                try {
                    for (int start = 0; start < count; start += 200) {
                        List<String> window = new ArrayList<>();
                        for (int i = start; i < Math.min(count, start + 200); i++) {
                            window.add("m-" + i);
                        }
                        long deadline = System.nanoTime() + PATIENCE.toNanos();
                        while (!window.isEmpty()) {
                            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
                            for (String payload : window) {
                                results.add(publisher.publish(Message.of(topic, "k" + (payload.hashCode() & 7), payload)));
                            }
                            List<String> again = new ArrayList<>();
                            for (int i = 0; i < window.size(); i++) {
                                try {
                                    results.get(i).join();
                                    confirmed.add(window.get(i));
                                } catch (RuntimeException e) {
                                    failedAttempts.incrementAndGet();
                                    again.add(window.get(i));
                                }
                            }
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError(again.size() + " messages still not confirmed");
                            }
                            window = again;
                        }
                    }
                } catch (Throwable e) {
                    broken.set(e);
                }
            }, "rabbitmq-load");
            thread.start();
            return thread;
        }
    }

    @Test
    void aBrokerRestartDuringTenThousandConfirmedPublishesLosesNoneAndTheGroupConsumesThemAll() throws Exception {
        String topic = "restart-" + System.nanoTime();
        Set<String> consumed = ConcurrentHashMap.newKeySet();
        AtomicInteger deliveries = new AtomicInteger();
        String url = RabbitMqHarness.INSTANCE.url();
        try (Portal memberA = Portal.connect(url); Portal memberB = Portal.connect(url); Portal publishing = Portal.connect(url)) {
            for (Portal member : List.of(memberA, memberB)) {
                member.subscriber().subscribe(SubscribeOptions.group(topic, "workers"), d -> {
                    deliveries.incrementAndGet();
                    consumed.add(d.message().payloadAsString());
                });
            }
            List<ConnectionState> states = new CopyOnWriteArrayList<>();
            publishing.onStateChange(states::add);
            Load load = new Load();
            Thread thread = load.run(publishing.publisher(), topic, 10_000);
            await().atMost(PATIENCE).until(() -> load.confirmed.size() >= 2_000 || load.broken.get() != null);
            broker.restart();
            thread.join(PATIENCE.multipliedBy(2).toMillis());
            assertThat(load.broken.get()).as("publishing across the restart").isNull();
            assertThat(load.confirmed).hasSize(10_000);
            await().atMost(PATIENCE).until(() -> consumed.containsAll(load.confirmed));
            long lost = load.confirmed.stream().filter(m -> !consumed.contains(m)).count();
            System.out.printf("restart: confirmed %d, consumed %d distinct in %d deliveries, publish attempts failed %d%n",
                    load.confirmed.size(), consumed.size(), deliveries.get(), load.failedAttempts.get());
            assertThat(lost).as("confirmed but never consumed").isZero();
            assertThat(states).containsSubsequence(ConnectionState.SUSPENDED, ConnectionState.RECONNECTED);
        }
    }

    @Test
    void connectionsTheBrokerClosesRecoverAndKeepFlowing() throws Exception {
        String topic = "closed-" + System.nanoTime();
        Set<String> consumed = ConcurrentHashMap.newKeySet();
        String url = RabbitMqHarness.INSTANCE.url();
        try (Portal memberA = Portal.connect(url); Portal memberB = Portal.connect(url); Portal publishing = Portal.connect(url)) {
            List<ConnectionState> states = new CopyOnWriteArrayList<>();
            memberA.onStateChange(states::add);
            for (Portal member : List.of(memberA, memberB)) {
                member.subscriber().subscribe(SubscribeOptions.group(topic, "workers"), d -> consumed.add(d.message().payloadAsString()));
            }
            Load before = new Load();
            Thread thread = before.run(publishing.publisher(), topic, 4_000);
            await().atMost(PATIENCE).until(() -> consumed.size() >= 1_000 || before.broken.get() != null);
            broker.closeAllConnections("Portal fault test");
            await().atMost(PATIENCE).until(() -> states.contains(ConnectionState.RECONNECTED));
            thread.join(PATIENCE.multipliedBy(2).toMillis());
            assertThat(before.broken.get()).isNull();
            // After the recovery: new messages flow through the recovered publisher, queues and consumers.
            Set<String> fresh = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 500; i++) {
                String payload = "after-" + i;
                publishing.publisher().publish(Message.of(topic, "k", payload)).join();
                fresh.add(payload);
            }
            await().atMost(PATIENCE).until(() -> consumed.containsAll(before.confirmed) && consumed.containsAll(fresh));
            assertThat(before.confirmed.stream().filter(m -> !consumed.contains(m)).count()).as("confirmed but never consumed").isZero();
            assertThat(states).containsSubsequence(ConnectionState.SUSPENDED, ConnectionState.RECONNECTED);
        }
    }

    @Test
    void aChannelErrorOnTheConsumersChannelIsRecoveredWithoutAStall() throws Exception {
        String topic = "channel-" + System.nanoTime();
        Set<String> consumed = ConcurrentHashMap.newKeySet();
        String url = RabbitMqHarness.INSTANCE.url();
        try (Portal member = Portal.connect(url); Portal publishing = Portal.connect(url)) {
            member.subscriber().subscribe(SubscribeOptions.group(topic, "workers"), d -> consumed.add(d.message().payloadAsString()));
            publishing.publisher().publish(Message.of(topic, "k", "before")).join();
            await().atMost(PATIENCE).until(() -> consumed.contains("before"));
            RabbitMqConnection connection = member.unwrap(RabbitMqConnection.class).orElseThrow();
            RabbitMqSubscription subscription = connection.subscriptions().iterator().next();
            var channel = subscription.channel();
            // Acknowledging a delivery tag the broker never gave is a channel error: the broker closes the channel (406).
            channel.basicAck(987_654_321L, false);
            await().atMost(PATIENCE).until(() -> !channel.isOpen());
            long closedAt = System.nanoTime();
            publishing.publisher().publish(Message.of(topic, "k", "after")).join();
            // Within a few recovery intervals (500 ms here), not never: a stalled consumer would fail this wait.
            await().atMost(Duration.ofSeconds(10)).until(() -> consumed.contains("after"));
            System.out.printf("channel error: consuming again after %d ms%n", (System.nanoTime() - closedAt) / 1_000_000);
        }
    }
}
