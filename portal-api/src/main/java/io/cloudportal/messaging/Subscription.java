package io.cloudportal.messaging;

import java.time.Duration;

/** A running subscription. Closing it drains: handlers already running finish and are acknowledged. */
public interface Subscription extends AutoCloseable {

    /**
     * The options it was opened with.
     *
     * @return the options
     */
    SubscribeOptions options();

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
