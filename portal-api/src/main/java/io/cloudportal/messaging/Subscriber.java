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
     * Starts consuming in batches: the handler gets up to {@link BatchOptions#maxMessages()}
     * deliveries per call, each settled on its own (see {@link BatchHandler}), so one bad record
     * is retried or dead-lettered and the rest acknowledged. Retries, dead letters, per-key order
     * (where {@link SubscribeOptions#orderedByKey()}: each call holds one lane's messages in order,
     * and a rejected message holds back the unsettled later messages of its key, which come again
     * with it without using an attempt) and draining on close work as for single deliveries.
     *
     * @param options the topic, the group (or broadcast), attempts and concurrency (handler calls at once)
     * @param batching the batch size and how long a batch waits to fill
     * @param handler handles each batch
     * @return the running subscription
     * @throws io.cloudportal.InvalidArgumentException if an option breaks a rule
     * @throws io.cloudportal.UnsupportedFacilityException if the options need a guarantee the driver does not give
     */
    default Subscription subscribeBatch(SubscribeOptions options, BatchOptions batching, BatchHandler handler) {
        throw new io.cloudportal.UnsupportedFacilityException("batch subscriptions are not implemented by " + getClass().getName());
    }

    /**
     * Starts consuming in batches of {@link BatchOptions#DEFAULT} (100 messages or 100 ms).
     *
     * @param options the topic, the group (or broadcast), attempts and concurrency
     * @param handler handles each batch
     * @return the running subscription
     * @see #subscribeBatch(SubscribeOptions, BatchOptions, BatchHandler)
     */
    default Subscription subscribeBatch(SubscribeOptions options, BatchHandler handler) {
        return subscribeBatch(options, BatchOptions.DEFAULT, handler);
    }

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
     * Moves a consumer group's position on a topic: back to the earliest message kept, to the
     * end, or to the first message stored at or after a time (replay after a bad deploy). The
     * group's members must be closed first on Kafka, whose coordinator refuses to move an active
     * group; RocketMQ moves live members. Needs {@link io.cloudportal.Guarantee#REPLAY}.
     *
     * @param topic the topic
     * @param group the group
     * @param position where the group resumes
     * @throws io.cloudportal.InvalidArgumentException if an argument breaks a rule
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not give REPLAY
     * @throws io.cloudportal.ConflictException if the backend refuses because the group has active members
     * @throws io.cloudportal.PortalTimeoutException if the backend did not answer within the operation timeout
     */
    default void resetGroup(String topic, String group, StartPosition position) {
        throw new io.cloudportal.UnsupportedFacilityException("resetGroup needs REPLAY, which this subscriber does not give");
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
