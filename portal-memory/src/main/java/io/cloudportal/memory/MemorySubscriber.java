package io.cloudportal.memory;

import io.cloudportal.messaging.StartPosition;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscriber;
import io.cloudportal.spi.DriverSubscription;
import java.time.Duration;

/** Opens memory subscriptions: each a member of its group in the backend's topic. */
final class MemorySubscriber implements DriverSubscriber {

    private final MemoryConnection connection;

    MemorySubscriber(MemoryConnection connection) {
        this.connection = connection;
    }

    @Override
    public DriverSubscription subscribe(SubscribeOptions options, String deadLetterTopic, DeliverySink sink) {
        return new MemorySubscription(connection, options, sink);
    }

    @Override
    public void resetGroup(String topic, String group, StartPosition position, Duration timeout) {
        connection.backend().topics.topic(topic).reset(group, position);
    }
}
