package io.cloudportal.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
     * Publishes several messages at once, through the backend's own batching where it has one
     * (RocketMQ batch sends; Kafka's producer batches and RabbitMQ's multiple confirms serve
     * single publishes too). Every message is validated before any is sent: one that breaks a
     * rule throws, naming its index, and none of them is sent. Each message then has its own
     * result, in the order given, since a broker may take some and refuse others; messages of one
     * key keep their order.
     *
     * @param messages the messages, none null; may be empty
     * @return one future per message, at the message's index
     * @throws io.cloudportal.InvalidArgumentException if a message breaks a rule (nothing was sent)
     */
    default List<CompletableFuture<PublishResult>> publishAll(List<Message> messages) {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(messages.size());
        for (Message message : messages) {
            results.add(publish(message));
        }
        return results;
    }

    /**
     * Sends a request and waits for its reply: the message goes out with
     * {@link Requests#REPLY_TO_HEADER} and {@link Requests#CORRELATION_ID_HEADER}, a handler answers
     * with {@link Delivery#reply(byte[], java.util.Map)}, and the future completes with the reply. Every
     * requester of a connection shares one subscription to {@link Requests#REPLY_TOPIC}, opened with
     * the first request. A request with no reply within the timeout fails with
     * {@link io.cloudportal.PortalTimeoutException} and leaves nothing behind; a reply that comes later
     * is dropped and counted ({@link io.cloudportal.observation.PortalObserver#replyDropped}).
     *
     * @param message the request; its headers must not already name a reply topic or correlation id
     * @param timeout how long to wait for the reply once the request is sent, positive (the first request of a connection also
     *                waits for the reply subscription to open, about a second on RocketMQ)
     * @return the reply (its topic is the reply topic)
     * @throws io.cloudportal.InvalidArgumentException if the message or the timeout breaks a rule
     * @throws io.cloudportal.UnsupportedFacilityException if the connection cannot subscribe
     */
    default CompletableFuture<Message> request(Message message, Duration timeout) {
        throw new io.cloudportal.UnsupportedFacilityException("request() is not implemented by " + getClass().getName());
    }

    /**
     * Publishes a message for delivery after a delay, where the driver declares
     * {@link io.cloudportal.Guarantee#DELAYED_DELIVERY}. The message is never delivered before the
     * delay has passed; a backend with fixed delay levels rounds up to the next level (the
     * driver's documentation names them). Validated like {@link #publish(Message)}.
     *
     * @param message the message
     * @param delay how long after the broker took the message it may be delivered, positive
     * @return the future result, complete when the broker has the message (not when it is delivered)
     * @throws io.cloudportal.InvalidArgumentException if the message or the delay breaks a rule
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not give DELAYED_DELIVERY
     */
    default CompletableFuture<PublishResult> publish(Message message, Duration delay) {
        throw new io.cloudportal.UnsupportedFacilityException("delayed publish needs DELAYED_DELIVERY, which this publisher does not give");
    }

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
