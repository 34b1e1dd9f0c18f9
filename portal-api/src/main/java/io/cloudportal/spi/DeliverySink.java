package io.cloudportal.spi;

import java.util.List;

/**
 * Where a driver's subscription hands what it received. The portable layer owns the handler
 * threads, per-key lanes, retries with their backoff, dead-letter headers and draining on close;
 * the driver only fetches, and settles through {@link Received}.
 */
public interface DeliverySink {

    /**
     * Hands one message to the handler threads; returns at once.
     *
     * @param message the message
     */
    void deliver(Received message);

    /**
     * Hands many messages over in one go (one wake-up per handler lane, not one per message).
     * Messages with one key are handled in the order of the list when ordering by key.
     *
     * @param messages the messages, in the backend's order
     */
    void deliver(List<? extends Received> messages);

    /**
     * Runs the handler on the calling thread, retrying in place, until the message is settled;
     * for a driver whose client calls it on threads of its own and waits for an answer.
     *
     * @param message the message
     * @return true if settled, false if it was released because the subscription is closing
     */
    boolean handleHere(Received message);

    /**
     * Runs the handler on the calling thread over several messages of the backend's batch (in
     * batches of {@link #batchSize()} for a batch subscription, one by one otherwise) until each
     * is settled.
     *
     * @param messages the messages, in the backend's order
     * @return true if all were settled, false if the subscription started closing: the rest were released
     */
    default boolean handleHere(List<? extends Received> messages) {
        for (int i = 0; i < messages.size(); i++) {
            if (!handleHere(messages.get(i))) {
                for (int j = i + 1; j < messages.size(); j++) {
                    messages.get(j).release();
                }
                return false;
            }
        }
        return true;
    }

    /**
     * How many messages one handler call takes: 1, or a batch subscription's
     * {@link io.cloudportal.messaging.BatchOptions#maxMessages()}. A driver whose client calls a
     * listener with several messages (RocketMQ) sizes that batch by it.
     *
     * @return at least 1
     */
    default int batchSize() {
        return 1;
    }
}
