package io.cloudportal.messaging;

import java.util.List;

/**
 * Handles delivered messages a batch at a time (see
 * {@link Subscriber#subscribeBatch(SubscribeOptions, BatchOptions, BatchHandler)}). Each delivery is
 * settled on its own: the handler may {@link Delivery#ack()}, {@link Delivery#nack()} or
 * {@link Delivery#deadLetter(String)} any of them; when it returns, the ones it left are
 * acknowledged; when it throws, the ones it left are rejected with that failure as the reason.
 * Rejected messages come back in a later call, after the retry policy's pause.
 */
@FunctionalInterface
public interface BatchHandler {
    /**
     * Handles one batch.
     *
     * @param batch the deliveries, in the backend's order (per key, where ordered by key); never empty
     * @throws Exception to reject every delivery the handler did not settle
     */
    void handle(List<Delivery> batch) throws Exception;
}
