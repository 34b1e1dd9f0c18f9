package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first settlement wins (decision 4). The TCK's scenario for it needs ORDER_PER_KEY, which
 * RabbitMQ does not declare; with one handler this driver retries in place, so a redelivery would
 * come before the next message.
 */
class RabbitMqSettlementIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aHandlerThatAcknowledgesAndThenThrowsIsNotRedelivered() throws Exception {
        String topic = "ack-then-throw-" + System.nanoTime();
        List<String> handled = new CopyOnWriteArrayList<>();
        SubscribeOptions options = SubscribeOptions.group(topic, "g-" + System.nanoTime()).withConcurrency(1)
                .withRetryBackoff(Duration.ofMillis(50));
        try (Portal portal = RabbitMqHarness.INSTANCE.connect();
             Subscription ignored = portal.subscriber().subscribe(options, delivery -> {
                 String payload = delivery.message().payloadAsString();
                 handled.add(payload + "#" + delivery.attempt());
                 if (payload.equals("acked")) {
                     delivery.ack();
                     throw new IllegalStateException("thrown after the handler acknowledged");
                 }
             })) {
            Publisher publisher = portal.publisher();
            publisher.publish(Message.of(topic, "k", "acked")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            publisher.publish(Message.of(topic, "k", "next")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> handled.contains("next#1"));
        }
        assertThat(handled).as("the handler's ack, the first settlement, wins over its throw").containsExactly("acked#1", "next#1");
    }
}
