package io.cloudportal.rabbitmq;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The publisher a user holds: the connection's confirming publisher (which dead-lettering shares),
 * plus the rule RabbitMQ adds for a message, checked before any I/O. Closing it waits for the
 * confirms of what it published; the connection closes the channel.
 */
final class RabbitMqPublisherView implements Publisher {

    /** AMQP's short string: a routing key is at most 255 bytes. */
    static final int MAX_ROUTING_KEY_BYTES = 255;

    private final RabbitMqPublisher shared;
    private final Duration closeTimeout;

    RabbitMqPublisherView(RabbitMqPublisher shared, Duration closeTimeout) {
        this.shared = shared;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        if (message.key() != null) {
            int bytes = message.key().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_ROUTING_KEY_BYTES) {
                throw new InvalidArgumentException("message key of " + bytes + " UTF-8 bytes is too long: RabbitMQ routing keys are at most "
                        + MAX_ROUTING_KEY_BYTES + " bytes");
            }
        }
        return shared.publish(message);
    }

    @Override
    public void flush(Duration timeout) throws InterruptedException {
        shared.flush(timeout);
    }

    @Override
    public void close() {
        try {
            shared.flush(closeTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // reported through each message's future
        }
    }
}
