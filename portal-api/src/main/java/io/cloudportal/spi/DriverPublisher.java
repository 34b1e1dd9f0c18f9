package io.cloudportal.spi;

import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import java.time.Duration;
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
