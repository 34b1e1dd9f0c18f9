package io.cloudportal.spi;

import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The publishing half of a messaging driver: one per connection, shared by every publisher handle
 * the portable layer gives out. The portable layer validates each message against the rules and
 * limits, refuses publishing on a closed handle, and flushes when a handle closes; the driver
 * sends and reports the broker's answer. The connection closes it with itself.
 */
public interface DriverPublisher {

    /**
     * Sends a validated message.
     *
     * @param message the message
     * @return completes when the broker has it durably (where the backend keeps messages), or fails with the reason
     */
    CompletableFuture<PublishResult> publish(Message message);

    /**
     * Checks the rules the backend adds to the portable ones (sizes, reserved names), without I/O.
     * The portable layer calls it for every message of a {@link #publishAll(List)} before any is
     * sent, so a bulk publish is refused whole; {@link #publish(Message)} still checks on its own.
     *
     * @param message a message that passed the portable rules
     * @throws io.cloudportal.InvalidArgumentException naming the value and the backend's rule
     */
    default void check(Message message) {
    }

    /**
     * Sends validated messages (the portable rules and {@link #check(Message)} passed for each), with
     * the backend's batching where it has one. By default one {@link #publish(Message)} each, which
     * is already batched on the wire by clients that pipeline (Kafka, RabbitMQ confirms).
     *
     * @param messages the messages
     * @return one future per message, at its index
     */
    default List<CompletableFuture<PublishResult>> publishAll(List<Message> messages) {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(messages.size());
        for (Message message : messages) {
            results.add(publish(message));
        }
        return results;
    }

    /**
     * Sends a validated message to be delivered after a delay; only for drivers that declare
     * {@link io.cloudportal.Guarantee#DELAYED_DELIVERY}.
     *
     * @param message the message
     * @param delay positive
     * @return as {@link #publish(Message)}
     */
    default CompletableFuture<PublishResult> publish(Message message, Duration delay) {
        throw new UnsupportedOperationException("delayed publish");
    }

    /**
     * Waits until every message published before the call was answered.
     *
     * @param timeout how long to wait
     * @throws InterruptedException if interrupted while waiting
     * @throws io.cloudportal.PortalTimeoutException if messages are still unanswered after the timeout
     */
    void flush(Duration timeout) throws InterruptedException;
}
