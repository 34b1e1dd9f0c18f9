package io.cloudportal.messaging;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes messages. Obtain it from {@link io.cloudportal.Portal#publisher()}; it is thread-safe.
 */
public interface Publisher extends AutoCloseable {

    /**
     * Publishes a message. Input is validated before any I/O and a rule broken throws at once;
     * the future completes when the broker has the message (durably, where the backend can
     * say so), or fails with the reason.
     *
     * @param message the message
     * @return the future result
     * @throws io.cloudportal.InvalidArgumentException if the message breaks a rule
     */
    CompletableFuture<PublishResult> publish(Message message);

    /**
     * Waits until every message published before this call is acknowledged or failed.
     *
     * @param timeout how long to wait at most
     * @throws io.cloudportal.PortalTimeoutException if messages are still in flight after the timeout
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    void flush(Duration timeout) throws InterruptedException;

    /** Waits for in-flight messages (bounded by the connection's operation timeout), then closes. Idempotent. */
    @Override
    void close();
}
