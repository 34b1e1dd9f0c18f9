package io.cloudportal.rocketmq;

import io.cloudportal.messaging.StartPosition;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscriber;
import io.cloudportal.spi.DriverSubscription;
import java.time.Duration;
import java.util.OptionalInt;

/** Opens subscriptions, each a push consumer of its own. */
final class RocketMqSubscriber implements DriverSubscriber {

    /** Broadcast subscribers have no durable group, so their dead letters go to a topic named after the topic. */
    static final String BROADCAST_DEAD_LETTER_SUFFIX = "-dlt";

    private final RocketMqConnection connection;

    RocketMqSubscriber(RocketMqConnection connection) {
        this.connection = connection;
    }

    @Override
    public DriverSubscription subscribe(SubscribeOptions options, String deadLetterTopic, DeliverySink sink) {
        return RocketMqSubscription.open(connection, options, sink);
    }

    @Override
    public String deadLetterTopic(SubscribeOptions options) {
        return options.deadLetterTopic().orElseGet(() -> options.group()
                .map(group -> RocketMqDriver.DLQ_PREFIX + ConsumerGroups.of(group, options.topic()))
                .orElse(options.topic() + BROADCAST_DEAD_LETTER_SUFFIX));
    }

    @Override
    public void resetGroup(String topic, String group, StartPosition position, Duration timeout) {
        RocketMqReplay.resetGroup(connection, topic, group, position, timeout);
    }

    @Override
    public OptionalInt defaultMaxAttempts() {
        return RocketMqSubscription.defaultMaxAttempts(connection.settings());
    }
}
