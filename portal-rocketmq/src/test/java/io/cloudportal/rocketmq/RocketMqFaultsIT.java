package io.cloudportal.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRocketMq;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RocketMQ under faults, with the figure that matters asserted to be zero: the broker stopped and
 * restarted on its store during 10,000 publishes (acknowledged but never consumed: 0); a handler
 * that always throws, with RocketMQ's {@code maxReconsumeTimes} at 2 (exactly 3 deliveries, then
 * the dead-letter queue), unordered and ordered alike; a consumer closed while its handlers run
 * (handled messages redelivered: 0).
 */
class RocketMqFaultsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static EmbeddedRocketMq rocketMq;

    @BeforeAll
    static void needABrokerThisTestControls() {
        Assumptions.assumeTrue(RocketMqHarness.INSTANCE.server() instanceof EmbeddedRocketMq,
                "PORTAL_TEST_ROCKETMQ_URL names a cluster these fault tests must not restart");
        rocketMq = (EmbeddedRocketMq) RocketMqHarness.INSTANCE.server();
    }

    /** Publishes numbered messages in windows, re-sending any whose publish failed, as an application would. */
    private static final class Load {
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
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
                                    acknowledged.add(window.get(i));
                                } catch (RuntimeException e) {
                                    failedAttempts.incrementAndGet();
                                    again.add(window.get(i));
                                }
                            }
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError(again.size() + " messages still not acknowledged");
                            }
                            window = again;
                        }
                    }
                } catch (Throwable e) {
                    broken.set(e);
                }
            }, "rocketmq-load");
            thread.start();
            return thread;
        }
    }

    @Test
    void aBrokerRestartDuringTenThousandPublishesLosesNoAcknowledgedMessageAndTheGroupResumes() throws Exception {
        String topic = "restart-" + System.nanoTime();
        Set<String> consumed = ConcurrentHashMap.newKeySet();
        AtomicInteger deliveries = new AtomicInteger();
        String url = RocketMqHarness.INSTANCE.url();
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
            await().atMost(PATIENCE).until(() -> load.acknowledged.size() >= 2_000 || load.broken.get() != null);
            rocketMq.restart();
            thread.join(PATIENCE.multipliedBy(2).toMillis());
            assertThat(load.broken.get()).as("publishing across the restart").isNull();
            assertThat(load.acknowledged).hasSize(10_000);
            await().atMost(PATIENCE).until(() -> consumed.containsAll(load.acknowledged));
            long lost = load.acknowledged.stream().filter(m -> !consumed.contains(m)).count();
            System.out.printf("restart: acknowledged %d, consumed %d distinct in %d deliveries, publish attempts failed %d%n",
                    load.acknowledged.size(), consumed.size(), deliveries.get(), load.failedAttempts.get());
            assertThat(lost).as("acknowledged (SEND_OK) but never consumed").isZero();
            assertThat(states).containsSubsequence(ConnectionState.SUSPENDED, ConnectionState.RECONNECTED);
        }
    }

    @ParameterizedTest(name = "ordered by key: {0}")
    @ValueSource(booleans = {false, true})
    void withMaxReconsumeTimesTwoAHandlerThatAlwaysThrowsSeesExactlyThreeDeliveriesThenTheMessageIsInTheDeadLetterQueue(boolean ordered)
            throws Exception {
        String topic = "poison-" + System.nanoTime();
        String group = "poison-" + (ordered ? "ordered" : "unordered") + "-" + System.nanoTime();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        AtomicInteger others = new AtomicInteger();
        try (Portal consumer = Portal.connect(RocketMqHarness.INSTANCE.url() + "&maxReconsumeTimes=2");
             Portal publishing = Portal.connect(RocketMqHarness.INSTANCE.url())) {
            SubscribeOptions options = SubscribeOptions.group(topic, group).withOrderedByKey(ordered).withRetryBackoff(Duration.ofMillis(50));
            assertThat(consumer.subscriber().deadLetterTopic(options)).isEqualTo("%DLQ%" + group + "|" + topic);
            try (Subscription ignored = consumer.subscriber().subscribe(options, delivery -> {
                if (delivery.message().payloadAsString().equals("poison")) {
                    attempts.add(delivery.attempt());
                    throw new IllegalStateException("always fails");
                }
                others.incrementAndGet();
            })) {
                publishing.publisher().publish(Message.of(topic, "k", "poison")).get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 10; i++) {
                    publishing.publisher().publish(Message.of(topic, "k", "fine-" + i)).get(30, TimeUnit.SECONDS);
                }
                List<Delivery> dead = new CopyOnWriteArrayList<>();
                try (Subscription dlq = publishing.subscriber().subscribe(SubscribeOptions.group("%DLQ%" + group + "|" + topic, "dlq-reader-" + System.nanoTime()),
                        dead::add)) {
                    await().atMost(PATIENCE).until(() -> !dead.isEmpty() && others.get() == 10);
                }
                System.out.printf("poison (ordered %s): attempts %s, dead letters %d%n", ordered, attempts, dead.size());
                assertThat(attempts).as("deliveries of a message whose handler always throws").containsExactly(1, 2, 3);
                assertThat(dead).hasSize(1);
                Map<String, String> headers = dead.get(0).message().headers();
                assertThat(dead.get(0).message().payloadAsString()).isEqualTo("poison");
                assertThat(headers).containsEntry(DeadLetters.ATTEMPTS_HEADER, "3").containsEntry(DeadLetters.ORIGINAL_TOPIC_HEADER, topic);
                assertThat(headers.get(DeadLetters.REASON_HEADER)).contains("always fails");
            }
        }
    }

    @Test
    void aConsumerClosedWhileItsHandlersRunHasNoHandledMessageRedelivered() throws Exception {
        String topic = "close-" + System.nanoTime();
        String url = RocketMqHarness.INSTANCE.url();
        Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
        CountDownLatch running = new CountDownLatch(4);
        try (Portal first = Portal.connect(url); Portal second = Portal.connect(url); Portal publishing = Portal.connect(url)) {
            Subscription closing = first.subscriber().subscribe(SubscribeOptions.group(topic, "workers").withConcurrency(4), d -> {
                running.countDown();
                // Slow enough that handlers are running, and more are buffered, when close() starts.
                Thread.sleep(20);
                handled.computeIfAbsent(d.message().payloadAsString(), p -> new AtomicInteger()).incrementAndGet();
            });
            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                results.add(publishing.publisher().publish(Message.of(topic, "k" + (i % 16), "m-" + i)));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            boolean drained = closing.close(Duration.ofSeconds(60));
            int handledByFirst = handled.size();
            try (Subscription ignored = second.subscriber().subscribe(SubscribeOptions.group(topic, "workers"),
                    d -> handled.computeIfAbsent(d.message().payloadAsString(), p -> new AtomicInteger()).incrementAndGet())) {
                await().atMost(PATIENCE).until(() -> handled.size() == 2_000);
            }
            long redelivered = handled.values().stream().filter(count -> count.get() > 1).count();
            System.out.printf("close while handling: drained %s, handled by the first %d, by the second %d, handled twice %d%n", drained,
                    handledByFirst, 2_000 - handledByFirst, redelivered);
            assertThat(drained).isTrue();
            assertThat(handledByFirst).isPositive();
            assertThat(redelivered).as("messages handled before the close and delivered again").isZero();
        }
    }
}
