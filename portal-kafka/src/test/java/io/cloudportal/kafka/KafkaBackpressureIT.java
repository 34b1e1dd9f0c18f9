package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A slow consumer: the subscription stops fetching once {@code maxInFlight} records wait for its
 * handler, instead of queueing the topic in memory, and loses nothing when the handler catches up.
 */
class KafkaBackpressureIT {

    @Test
    void aStalledHandlerHoldsAtMostMaxInFlightPlusOnePollAndLosesNothing() throws Exception {
        String topic = "backpressure-" + System.nanoTime();
        int messages = 20_000;
        int maxInFlight = 100;
        int maxPollRecords = 500;
        try (Portal publisher = KafkaHarness.INSTANCE.connect()) {
            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                results.add(publisher.publisher().publish(Message.of(topic, "k" + (i % 16), "m" + i)));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        String url = KafkaHarness.INSTANCE.url() + "&maxInFlight=" + maxInFlight;
        try (Portal consumer = Portal.connect(url)) {
            KafkaConnection connection = consumer.unwrap(KafkaConnection.class).orElseThrow();
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger started = new AtomicInteger();
            Set<String> handled = ConcurrentHashMap.newKeySet();
            Subscription subscribed = consumer.subscriber().subscribe(SubscribeOptions.group(topic, "slow"), d -> {
                started.incrementAndGet();
                release.await();
                handled.add(d.message().payloadAsString());
            });
            KafkaSubscription subscription = connection.openSubscriptions().iterator().next();
            await().atMost(Duration.ofSeconds(60)).until(() -> subscription.inFlight() >= maxInFlight);
            // While the handler stays stalled, the backlog must stay at the bound: one poll past it at most.
            AtomicInteger highest = new AtomicInteger();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> {
                highest.accumulateAndGet(subscription.inFlight(), Math::max);
                return subscription.inFlight() <= maxInFlight + maxPollRecords;
            });
            assertThat(highest.get()).as("records held for the stalled handler").isLessThanOrEqualTo(maxInFlight + maxPollRecords);
            assertThat(started.get()).as("handlers running while stalled").isEqualTo(1);
            release.countDown();
            await().atMost(Duration.ofSeconds(120)).until(() -> handled.size() == messages);
            subscribed.close();
            assertThat(handled).as("lost").hasSize(messages);
        }
    }
}
