package io.cloudportal.messaging;

/**
 * Consumes topics. Obtain it from {@link io.cloudportal.Portal#subscriber()}.
 *
 * <pre>{@code
 * try (Subscription s = portal.subscriber().subscribe(
 *         SubscribeOptions.group("orders", "billing"), delivery -> bill(delivery.message()))) {
 *     ...
 * }
 * }</pre>
 */
public interface Subscriber extends AutoCloseable {

    /**
     * Starts consuming.
     *
     * @param options the topic, the group (or broadcast), attempts and concurrency
     * @param handler handles each delivery
     * @return the running subscription
     * @throws io.cloudportal.InvalidArgumentException if an option breaks a rule
     * @throws io.cloudportal.UnsupportedFacilityException if the options need a guarantee the driver does not give
     */
    Subscription subscribe(SubscribeOptions options, MessageHandler handler);

    /**
     * Where the dead letters of a subscription with these options go; subscribe to that topic
     * to read them. Each carries the {@link DeadLetters} headers.
     *
     * @param options the subscription's options
     * @return the dead-letter topic
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not dead-letter
     */
    String deadLetterTopic(SubscribeOptions options);

    /** Closes every subscription opened from this subscriber, draining each. Idempotent. */
    @Override
    void close();
}
