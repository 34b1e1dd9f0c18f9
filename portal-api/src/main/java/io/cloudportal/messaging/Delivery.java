package io.cloudportal.messaging;

/**
 * A message handed to a {@link MessageHandler}, with the means to settle it. A delivery the
 * handler did not settle is acknowledged when the handler returns and rejected (redelivered)
 * when it throws.
 */
public interface Delivery {

    /**
     * The message.
     *
     * @return the message as published
     */
    Message message();

    /**
     * Which attempt this is: 1 for the first delivery, 2 for the first redelivery and so on.
     *
     * @return the attempt number
     */
    int attempt();

    /**
     * The backend's id for this message, stable across redeliveries.
     *
     * @return the message id
     */
    String messageId();

    /**
     * Acknowledges the message: it will not be delivered again to this group.
     *
     * @return true if this call settled it, false if it was settled already
     * @throws io.cloudportal.ClosedException if the subscription was closed
     */
    boolean ack();

    /**
     * Rejects the message: it is delivered again, or dead-lettered once the attempts are used up.
     *
     * @return true if this call settled it, false if it was settled already
     * @throws io.cloudportal.ClosedException if the subscription was closed
     */
    boolean nack();

    /**
     * Sends the message to the dead-letter topic now, with this reason, and makes no further
     * attempt: for a message the handler knows no retry can cure. The reason goes into
     * {@link DeadLetters#REASON_HEADER} under the same rule as a handler's exception.
     *
     * @param reason why; not null
     * @return true if this call settled it, false if it was settled already
     * @throws io.cloudportal.UnsupportedFacilityException if the driver does not dead-letter
     * @throws io.cloudportal.ClosedException if the subscription was closed
     */
    default boolean deadLetter(String reason) {
        throw new UnsupportedOperationException("deadLetter() is not implemented by " + getClass().getName());
    }

    /**
     * Whether the message is a request ({@link Publisher#request}) that {@link #reply} can answer.
     *
     * @return true if it names a reply topic and a correlation id
     */
    default boolean isRequest() {
        return message().headers().containsKey(Requests.REPLY_TO_HEADER) && message().headers().containsKey(Requests.CORRELATION_ID_HEADER);
    }

    /**
     * Answers a request: publishes the reply to the requester's reply topic with the request's
     * correlation id. Replying does not settle the delivery. A requester that gave up (its timeout
     * passed) drops the reply.
     *
     * @param payload the reply's payload
     * @param headers the reply's headers (the correlation id is added)
     * @return completes when the broker has the reply
     * @throws io.cloudportal.InvalidArgumentException if the message is not a request, or the reply breaks a rule
     */
    default java.util.concurrent.CompletableFuture<PublishResult> reply(byte[] payload, java.util.Map<String, String> headers) {
        throw new UnsupportedOperationException("reply() is not implemented by " + getClass().getName());
    }

    /**
     * Answers a request with a payload and no headers of its own.
     *
     * @param payload the reply's payload
     * @return completes when the broker has the reply
     * @throws io.cloudportal.InvalidArgumentException if the message is not a request, or the reply breaks a rule
     */
    default java.util.concurrent.CompletableFuture<PublishResult> reply(byte[] payload) {
        return reply(payload, java.util.Map.of());
    }

    /**
     * Answers a request with a value a codec encodes (and its content type).
     *
     * @param value the reply's value
     * @param codec encodes it
     * @return completes when the broker has the reply
     * @throws io.cloudportal.InvalidArgumentException if the message is not a request, or the value cannot be encoded
     */
    default java.util.concurrent.CompletableFuture<PublishResult> reply(Object value, Codec codec) {
        Message encoded = Message.builder("reply").payload(value, codec).build();
        return reply(encoded.payload(), encoded.headers());
    }
}
