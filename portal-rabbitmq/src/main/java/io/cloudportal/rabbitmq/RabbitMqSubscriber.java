package io.cloudportal.rabbitmq;

import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscriber;
import io.cloudportal.spi.DriverSubscription;

/** Opens subscriptions, each on a channel of its own. */
final class RabbitMqSubscriber implements DriverSubscriber {

    private final RabbitMqConnection connection;

    RabbitMqSubscriber(RabbitMqConnection connection) {
        this.connection = connection;
    }

    @Override
    public DriverSubscription subscribe(SubscribeOptions options, String deadLetterTopic, DeliverySink sink) {
        RabbitMqSubscription subscription = RabbitMqSubscription.open(connection, options, sink, deadLetterTopic,
                connection.subscriptions()::remove);
        connection.subscriptions().add(subscription);
        return subscription;
    }
}
