package io.cloudportal.rocketmq;

import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Opens subscriptions, each a push consumer of its own. */
final class RocketMqSubscriber implements Subscriber {

    /** Broadcast subscribers have no durable group, so their dead letters go to a topic named after the topic. */
    static final String BROADCAST_DEAD_LETTER_SUFFIX = "-dlt";

    private final RocketMqConnection connection;
    private final Set<RocketMqSubscription> open = ConcurrentHashMap.newKeySet();

    RocketMqSubscriber(RocketMqConnection connection) {
        this.connection = connection;
    }

    @Override
    public Subscription subscribe(SubscribeOptions options, MessageHandler handler) {
        RocketMqSubscription subscription = RocketMqSubscription.open(connection, options, handler, deadLetterTopic(options), closed -> {
            open.remove(closed);
            connection.subscriptions().remove(closed);
        });
        open.add(subscription);
        connection.subscriptions().add(subscription);
        return subscription;
    }

    @Override
    public String deadLetterTopic(SubscribeOptions options) {
        return options.deadLetterTopic().orElseGet(() -> options.group()
                .map(group -> RocketMqDriver.DLQ_PREFIX + ConsumerGroups.of(group, options.topic()))
                .orElse(options.topic() + BROADCAST_DEAD_LETTER_SUFFIX));
    }

    @Override
    public void close() {
        for (RocketMqSubscription subscription : Set.copyOf(open)) {
            subscription.close();
        }
    }
}
