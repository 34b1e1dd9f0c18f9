package io.cloudportal.spi;

import io.cloudportal.messaging.Message;
import java.time.Duration;

/**
 * A message a driver received, handed to the portable layer through a {@link DeliverySink}.
 * The portable layer runs the handler, retries, dead-letters, and then settles it with exactly
 * one of {@link #acknowledge()}, {@link #release()}, {@link #dropped(String)} or a
 * {@link #redeliverLater(Duration)} that returned true. A driver keeps its fast paths (batched
 * acknowledgements, ordered offset commits) inside these methods.
 */
public interface Received {

    /**
     * The message as published.
     *
     * @return the message
     */
    Message message();

    /**
     * The backend's id for the message, stable across redeliveries; may be built when asked.
     *
     * @return the id
     */
    String messageId();

    /**
     * Which delivery this is by the backend's count: 1 unless the backend redelivered it.
     *
     * @return the attempt, at least 1
     */
    int attempt();

    /** The message is done with (handled, or dead-lettered): the backend must not deliver it again. */
    void acknowledge();

    /**
     * The message was not handled, because the subscription is closing or the message went
     * {@link #stale()}: the backend delivers it again, to this member or another.
     */
    void release();

    /**
     * The handler failed on a backend that does not redeliver: the message is gone. The default
     * acknowledges; a driver that counts such losses overrides it.
     *
     * @param reason why the handler failed
     */
    default void dropped(String reason) {
        acknowledge();
    }

    /**
     * Whether the driver can no longer settle this message (its partition was revoked, its
     * channel closed): the portable layer then stops retrying it and releases it.
     *
     * @return true if settling is pointless now
     */
    default boolean stale() {
        return false;
    }

    /**
     * Whether a subscription that is closing must still handle this message rather than release
     * it. The default, false, suits a backend that redelivers each released message alone. A
     * backend that commits a position (Kafka's offset) answers true for a message before the
     * last one a handler started, so that what was handled stays a prefix and the next owner
     * handles nothing twice. Asked only while closing.
     *
     * @return true if the message is to be handled before the subscription closes
     */
    default boolean handleBeforeClosing() {
        return false;
    }

    /**
     * Hands a failed message back to the backend, to be delivered again after at least this
     * backoff (RocketMQ's retry topic), instead of retrying it in place. True means it is settled.
     *
     * @param backoff the least pause before the next attempt
     * @return true if the backend took it back; false to retry in place
     */
    default boolean redeliverLater(Duration backoff) {
        return false;
    }
}
