package io.cloudportal.messaging;

/** Handles delivered messages; runs on the subscription's own threads, never a client library's I/O thread. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles one delivery. Returning acknowledges it; throwing rejects it for redelivery.
     *
     * @param delivery the delivered message
     * @throws Exception to have the message delivered again
     */
    void handle(Delivery delivery) throws Exception;
}
