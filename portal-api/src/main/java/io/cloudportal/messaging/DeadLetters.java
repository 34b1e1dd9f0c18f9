package io.cloudportal.messaging;

/**
 * The headers every driver adds to a dead-lettered message, so a consumer of the dead-letter
 * topic can tell why and from where it came, whatever the backend.
 */
public final class DeadLetters {

    /** Why the message was dead-lettered: the last handler exception, or "nack". */
    public static final String REASON_HEADER = "portal.dead-letter.reason";
    /** How many deliveries were attempted. */
    public static final String ATTEMPTS_HEADER = "portal.dead-letter.attempts";
    /** The topic the message was published to. */
    public static final String ORIGINAL_TOPIC_HEADER = "portal.original-topic";
    /** The message id on the original topic. */
    public static final String ORIGINAL_ID_HEADER = "portal.original-id";

    private DeadLetters() {
    }
}
