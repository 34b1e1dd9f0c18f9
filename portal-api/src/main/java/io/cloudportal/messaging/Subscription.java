package io.cloudportal.messaging;

import java.time.Duration;
import java.util.OptionalLong;

/** A running subscription. Closing it drains: handlers already running finish and are acknowledged. */
public interface Subscription extends AutoCloseable {

    /**
     * The options it was opened with.
     *
     * @return the options
     */
    SubscribeOptions options();

    /**
     * How many messages of this member's share of the topic are not handled yet: those waiting
     * on the broker plus those fetched and not settled, as far as the backend's client knows
     * without asking the broker (it is cheap to read). On a driver that declares
     * {@link io.cloudportal.Guarantee#CONSUMER_LAG}; empty elsewhere, and before a member knows
     * its share. {@code portal-micrometer} reports it as {@code portal.messaging.consumer.lag}.
     *
     * @return the messages not handled yet, or empty where the backend does not tell
     */
    default OptionalLong lag() {
        return OptionalLong.empty();
    }

    /**
     * Stops taking messages, waits for running handlers to finish and settles them.
     *
     * @param timeout how long to wait for running handlers
     * @return true if every running handler finished in time
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    boolean close(Duration timeout) throws InterruptedException;

    /** Closes, waiting for running handlers up to the connection's operation timeout. Idempotent. */
    @Override
    void close();
}
