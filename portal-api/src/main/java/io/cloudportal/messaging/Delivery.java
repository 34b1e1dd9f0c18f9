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
}
