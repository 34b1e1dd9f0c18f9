package io.cloudportal.kafka;

import io.cloudportal.messaging.StartPosition;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscriber;
import io.cloudportal.spi.DriverSubscription;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Opens one consumer per subscription; a group maps to a Kafka consumer group of the same name. */
final class KafkaSubscriber implements DriverSubscriber {

    private final KafkaConnection connection;
    private final AtomicInteger opened = new AtomicInteger();

    KafkaSubscriber(KafkaConnection connection) {
        this.connection = connection;
    }

    @Override
    public DriverSubscription subscribe(SubscribeOptions options, String deadLetterTopic, DeliverySink sink) {
        KafkaSubscription subscription = new KafkaSubscription(connection, options, sink, opened.incrementAndGet(),
                connection.openSubscriptions()::remove);
        connection.openSubscriptions().add(subscription);
        subscription.start();
        return subscription;
    }

    @Override
    public void resetGroup(String topic, String group, StartPosition position, Duration timeout) {
        KafkaReplay.resetGroup(connection.admin(), topic, group, position, timeout);
    }
}
