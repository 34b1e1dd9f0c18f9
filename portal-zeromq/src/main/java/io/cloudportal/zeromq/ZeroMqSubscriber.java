package io.cloudportal.zeromq;

import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscriber;
import io.cloudportal.spi.DriverSubscription;

/** Opens broadcast subscriptions, each on its own SUB socket and thread. ZeroMQ keeps nothing, so it dead-letters nothing. */
final class ZeroMqSubscriber implements DriverSubscriber {

    private final ZeroMqConnection connection;

    ZeroMqSubscriber(ZeroMqConnection connection) {
        this.connection = connection;
    }

    @Override
    public DriverSubscription subscribe(SubscribeOptions options, String deadLetterTopic, DeliverySink sink) {
        return ZeroMqSubscription.open(connection, options, sink);
    }
}
