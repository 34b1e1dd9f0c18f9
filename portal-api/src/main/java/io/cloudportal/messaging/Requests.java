package io.cloudportal.messaging;

/**
 * The headers and topic of Portal's request-reply ({@link Publisher#request(Message, java.time.Duration)}
 * and {@link Delivery#reply(byte[], java.util.Map)}), the same on every driver, so a plain client of
 * a backend can answer Portal's requests or make its own: copy {@link #CORRELATION_ID_HEADER} from
 * the request into the reply and publish it to the topic in {@link #REPLY_TO_HEADER}.
 */
public final class Requests {

    /** The topic the reply goes to. */
    public static final String REPLY_TO_HEADER = "portal.reply-to";
    /** Matches a reply to its request: {@code <requester id>:<request number>}. */
    public static final String CORRELATION_ID_HEADER = "portal.correlation-id";
    /**
     * The topic every requester of a backend reads its replies from, each keeping those whose
     * correlation id carries its own requester id. One topic, not one per connection: Kafka and
     * RocketMQ keep every topic ever made, RabbitMQ every exchange.
     */
    public static final String REPLY_TOPIC = "portal-replies";

    private Requests() {
    }
}
