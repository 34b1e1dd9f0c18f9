package io.cloudportal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;

/** The in-JVM NameServer and broker: messages sent before a broker restart are read after it, through the same address. */
class EmbeddedRocketMqIT {

    @Test
    void messagesSurviveABrokerRestartAndClientsKeepTheirAddress() throws Exception {
        try (EmbeddedRocketMq rocketMq = new EmbeddedRocketMq()) {
            rocketMq.start();
            String nameServer = rocketMq.nameServerAddress();
            assertThat(rocketMq.url()).isEqualTo("rocketmq://" + nameServer);
            DefaultMQProducer producer = new DefaultMQProducer("fixture-producer");
            producer.setNamesrvAddr(nameServer);
            producer.start();
            try {
                assertThat(producer.send(message("before"), 30_000).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                rocketMq.restart();
                assertThat(rocketMq.nameServerAddress()).isEqualTo(nameServer);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> producer.send(message("after"), 5_000).getSendStatus() == SendStatus.SEND_OK);
            } finally {
                producer.shutdown();
            }
            List<String> read = new CopyOnWriteArrayList<>();
            DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("fixture-check");
            consumer.setNamesrvAddr(nameServer);
            consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            consumer.subscribe("fixture", "*");
            consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
                messages.forEach(m -> read.add(new String(m.getBody(), StandardCharsets.UTF_8)));
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            consumer.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> read.contains("before") && read.contains("after"));
            } finally {
                consumer.shutdown();
            }
        }
    }

    private static Message message(String text) {
        return new Message("fixture", text.getBytes(StandardCharsets.UTF_8));
    }
}
