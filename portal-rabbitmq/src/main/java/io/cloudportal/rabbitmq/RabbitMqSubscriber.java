package io.cloudportal.rabbitmq;

import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Opens subscriptions, each on a channel of its own. */
final class RabbitMqSubscriber implements Subscriber {

    static final String DEAD_LETTER_SUFFIX = io.cloudportal.spi.Limits.DEAD_LETTER_SUFFIX;

    private final RabbitMqConnection connection;
    private final Set<RabbitMqSubscription> open = ConcurrentHashMap.newKeySet();

    RabbitMqSubscriber(RabbitMqConnection connection) {
        this.connection = connection;
    }

    @Override
    public Subscription subscribe(SubscribeOptions options, MessageHandler handler) {
        RabbitMqSubscription subscription = RabbitMqSubscription.open(connection, options, handler, deadLetterTopic(options), closed -> {
            open.remove(closed);
            connection.subscriptions().remove(closed);
        });
        open.add(subscription);
        connection.subscriptions().add(subscription);
        return subscription;
    }

    @Override
    public String deadLetterTopic(SubscribeOptions options) {
        return options.deadLetterTopic().orElse(options.topic() + DEAD_LETTER_SUFFIX);
    }

    @Override
    public void close() {
        for (RabbitMqSubscription subscription : Set.copyOf(open)) {
            subscription.close();
        }
    }
}
