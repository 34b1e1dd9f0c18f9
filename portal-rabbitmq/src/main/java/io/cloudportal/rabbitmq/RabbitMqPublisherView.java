package io.cloudportal.rabbitmq;

import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.spi.Rules;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The publisher a user holds: the connection's confirming publisher (which dead-lettering shares),
 * plus the rule RabbitMQ adds for a message, checked before any I/O. Closing it waits for the
 * confirms of what it published; the connection closes the channel.
 */
final class RabbitMqPublisherView implements Publisher {

    /** AMQP's short string: a routing key and a header name are at most 255 bytes. */
    static final int MAX_SHORT_STRING_BYTES = 255;

    private final RabbitMqPublisher shared;
    private final Duration closeTimeout;

    RabbitMqPublisherView(RabbitMqPublisher shared, Duration closeTimeout) {
        this.shared = shared;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        if (message.key() != null) {
            shortString("message key", message.key());
        }
        for (String name : message.headers().keySet()) {
            shortString("header name", name);
        }
        return shared.publish(message);
    }

    /** amqp-client refuses a longer short string only while it writes the frame, so the check comes first. */
    private static void shortString(String what, String value) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SHORT_STRING_BYTES) {
            throw Rules.invalid(what, value, "is " + bytes + " UTF-8 bytes long: RabbitMQ (AMQP 0-9-1 short strings) allows at most "
                    + MAX_SHORT_STRING_BYTES);
        }
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
