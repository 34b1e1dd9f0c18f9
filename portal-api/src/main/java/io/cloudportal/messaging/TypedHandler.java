package io.cloudportal.messaging;

/**
 * Handles delivered messages whose payload a {@link Codec} decoded. Runs like a
 * {@link MessageHandler}: returning acknowledges, throwing rejects for redelivery; a payload that
 * cannot be decoded fails the delivery with an {@link io.cloudportal.CodecException} before this
 * is called.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface TypedHandler<T> {
    /**
     * Handles one delivery.
     *
     * @param payload the decoded payload
     * @param delivery the delivery, to read headers or settle it explicitly
     * @throws Exception to have the message delivered again
     */
    void handle(T payload, Delivery delivery) throws Exception;
}
