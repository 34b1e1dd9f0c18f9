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
     * Starts consuming payloads of one type, decoded by a codec before the handler runs. A
     * message that cannot be decoded (its content type is another, or its bytes are not a
     * {@code type}) fails its delivery with an {@link io.cloudportal.CodecException} naming the
     * type and content type, and follows the retry and dead-letter path of any failure.
     *
     * <pre>{@code
     * subscriber.subscribe(SubscribeOptions.group("orders", "billing"), Order.class, JsonCodec.create(),
     *         (order, delivery) -> bill(order));
     * }</pre>
     *
     * @param options the topic, the group (or broadcast), attempts and concurrency
     * @param type the payload type
     * @param codec decodes each payload
     * @param handler handles each decoded payload
     * @param <T> the payload type
     * @return the running subscription
     * @throws io.cloudportal.InvalidArgumentException if an option breaks a rule
     */
    default <T> Subscription subscribe(SubscribeOptions options, Class<T> type, Codec codec, TypedHandler<? super T> handler) {
        io.cloudportal.spi.Rules.notNull("type", type);
        io.cloudportal.spi.Rules.notNull("codec", codec);
        io.cloudportal.spi.Rules.notNull("handler", handler);
        return subscribe(options, delivery -> handler.handle(delivery.message().payloadAs(type, codec), delivery));
    }

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
