package io.cloudportal.spi;

import io.cloudportal.messaging.Message;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A driver's side of one subscription: it fetches and hands messages to its {@link DeliverySink}.
 * Closing happens in two steps: {@link #stopReceiving()}, then, once the handlers drained (or
 * the timeout passed), {@link #close(Duration)}.
 */
public interface DriverSubscription {

    /** Stops taking messages from the backend; what was handed over already is still settled. */
    void stopReceiving();

    /**
     * Publishes a dead letter: the original message with the dead-letter headers set by the
     * portable layer. The portable layer acknowledges the original only once this completed.
     *
     * @param original the message that failed
     * @param topic the dead-letter topic
     * @param deadLetter what to publish there
     * @return completes once the backend has it durably
     */
    default CompletionStage<?> deadLetter(Received original, String topic, Message deadLetter) {
        throw new UnsupportedOperationException("this driver does not dead-letter");
    }

    /**
     * How many messages of this member's share are not handled yet (see
     * {@link io.cloudportal.messaging.Subscription#lag()}); read from any thread, often, so it
     * must not call the broker. A driver that answers declares
     * {@link io.cloudportal.Guarantee#CONSUMER_LAG}.
     *
     * @return the messages not handled yet, or empty where the backend does not tell
     */
    default java.util.OptionalLong lag() {
        return java.util.OptionalLong.empty();
    }

    /**
     * Commits what was acknowledged and lets go of the backend's resources; every message handed
     * over was settled or released before this is called, unless the drain timed out.
     *
     * @param timeout what is left of the caller's timeout
     * @throws InterruptedException if interrupted while waiting
     */
    void close(Duration timeout) throws InterruptedException;
}
