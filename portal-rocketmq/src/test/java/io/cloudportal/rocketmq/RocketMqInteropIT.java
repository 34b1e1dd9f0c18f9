package io.cloudportal.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;

/** Portal and plain RocketMQ clients read each other's messages: keys, properties and bodies intact. */
class RocketMqInteropIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aPlainPushConsumerReadsPortalsMessagesWithKeyPropertiesAndBodyIntact() throws Exception {
        String topic = "interop-out-" + System.nanoTime();
        List<MessageExt> received = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect(RocketMqHarness.INSTANCE.url())) {
            // Portal creates the topic on first use; the plain consumer then starts from its first offset.
            portal.publisher().publish(Message.builder(topic).key("order-42").payload("first").header("trace-id", "abc-123")
                    .header("greeting", "héllo ✓").build()).get(30, TimeUnit.SECONDS);
            DefaultMQPushConsumer plain = new DefaultMQPushConsumer("interop-plain-" + System.nanoTime());
            plain.setNamesrvAddr(RocketMqHarness.INSTANCE.nameServer());
            plain.setInstanceName("interop-plain");
            plain.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            plain.subscribe(topic, "*");
            plain.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
                received.addAll(messages);
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            plain.start();
            try {
                await().atMost(PATIENCE).until(() -> !received.isEmpty());
            } finally {
                plain.shutdown();
            }
        }
        MessageExt message = received.get(0);
        assertThat(message.getKeys()).isEqualTo("order-42");
        assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(message.getUserProperty("trace-id")).isEqualTo("abc-123");
        assertThat(message.getUserProperty("greeting")).isEqualTo("héllo ✓");
    }

    @Test
    void portalReadsAPlainProducersMessage() throws Exception {
        String topic = "interop-in-" + System.nanoTime();
        List<Message> received = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect(RocketMqHarness.INSTANCE.url());
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, "interop-portal"), d -> received.add(d.message()))) {
            DefaultMQProducer plain = new DefaultMQProducer("interop-plain-producer");
            plain.setNamesrvAddr(RocketMqHarness.INSTANCE.nameServer());
            plain.setInstanceName("interop-plain-producer");
            plain.start();
            try {
                org.apache.rocketmq.common.message.Message message = new org.apache.rocketmq.common.message.Message(topic,
                        "from plain".getBytes(StandardCharsets.UTF_8));
                message.setKeys("k-7");
                message.putUserProperty("origin", "raw-client");
                assertThat(plain.send(message, 30_000).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            } finally {
                plain.shutdown();
            }
            await().atMost(PATIENCE).until(() -> !received.isEmpty());
        }
        Message message = received.get(0);
        assertThat(message.topic()).isEqualTo(topic);
        assertThat(message.key()).isEqualTo("k-7");
        assertThat(message.payloadAsString()).isEqualTo("from plain");
        assertThat(message.headers()).isEqualTo(Map.of("origin", "raw-client"));
    }
}
