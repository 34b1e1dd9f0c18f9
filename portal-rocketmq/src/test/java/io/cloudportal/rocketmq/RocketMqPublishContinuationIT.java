package io.cloudportal.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Publish futures complete on RocketMQ's I/O threads; publishes made from their (non-async)
 * continuations must neither block those threads nor lose their key's order.
 */
class RocketMqPublishContinuationIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aPublishChainedOnAnotherToANewTopicCompletes() throws Exception {
        String first = "chain-first-" + System.nanoTime();
        String created = "chain-created-" + System.nanoTime();
        try (Portal portal = Portal.connect(RocketMqHarness.INSTANCE.url())) {
            Publisher publisher = portal.publisher();
            // The second topic is new: publishing to it asks the NameServers for its route and creates it, which must not
            // happen on the I/O thread that completed the first publish.
            PublishResult result = publisher.publish(Message.of(first, "k", "one"))
                    .thenCompose(done -> publisher.publish(Message.of(created, "k", "two")))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(result.topic()).isEqualTo(created);
        }
    }

    @Test
    void publishesOfOneKeyMadeFromAContinuationKeepTheirOrder() throws Exception {
        String topic = "chain-order-" + System.nanoTime();
        int messages = 200;
        List<String> handled = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect(RocketMqHarness.INSTANCE.url());
             Subscription ignored = portal.subscriber().subscribe(
                     SubscribeOptions.group(topic, "chain-order-" + System.nanoTime()).withOrderedByKey(true),
                     delivery -> handled.add(delivery.message().payloadAsString()))) {
            Publisher publisher = portal.publisher();
            CompletableFuture<?> all = publisher.publish(Message.of(topic, "k", "0")).thenCompose(done -> {
                // A burst from one continuation: one after the other, as a loop on any thread would make them.
                CompletableFuture<?>[] burst = new CompletableFuture<?>[messages - 1];
                for (int i = 1; i < messages; i++) {
                    burst[i - 1] = publisher.publish(Message.of(topic, "k", Integer.toString(i)));
                }
                return CompletableFuture.allOf(burst);
            });
            all.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> handled.size() >= messages);
        }
        assertThat(handled).hasSize(messages);
        for (int i = 0; i < messages; i++) {
            assertThat(handled.get(i)).as("message %d of key k", i).isEqualTo(Integer.toString(i));
        }
    }
}
