package io.cloudportal.messaging;

/**
 * The headers every driver adds to a dead-lettered message, so a consumer of the dead-letter
 * topic can tell why and from where it came, whatever the backend.
 */
public final class DeadLetters {

    /**
     * Why the message was dead-lettered: the last handler exception ({@code <class>: <message>}),
     * {@value #NACK_REASON}, or the reason given to {@link Delivery#deadLetter(String)}. Control
     * characters are replaced by spaces, and a reason over {@value #MAX_REASON_LENGTH} characters is
     * cut there and ends with {@code …}.
     */
    public static final String REASON_HEADER = "portal.dead-letter.reason";
    /** How many deliveries were attempted. */
    public static final String ATTEMPTS_HEADER = "portal.dead-letter.attempts";
    /** The topic the message was published to. */
    public static final String ORIGINAL_TOPIC_HEADER = "portal.original-topic";
    /** The message id on the original topic. */
    public static final String ORIGINAL_ID_HEADER = "portal.original-id";

    /** The reason of a message the handler rejected with {@link Delivery#nack()}. */
    public static final String NACK_REASON = "rejected by the handler (nack)";
    /** The longest reason kept, in characters. */
    public static final int MAX_REASON_LENGTH = 1_000;

    private DeadLetters() {
    }

    /**
     * The reason as it is written into {@link #REASON_HEADER}: printable, bounded, marked when cut.
     *
     * @param reason any text
     * @return the header value
     */
    public static String reason(String reason) {
        String flat = String.valueOf(reason).replaceAll("\\p{Cntrl}", " ");
        if (flat.length() <= MAX_REASON_LENGTH) {
            return flat;
        }
        int cut = MAX_REASON_LENGTH - 1;
        // Never half a surrogate pair: the header must stay valid text.
        return flat.substring(0, Character.isHighSurrogate(flat.charAt(cut - 1)) ? cut - 1 : cut) + "…";
    }

    /**
     * The reason for a handler's exception.
     *
     * @param failure what the handler threw
     * @return {@code <class>: <message>}, under the rule of {@link #reason(String)}
     */
    public static String reason(Throwable failure) {
        return reason(failure.getClass().getName() + ": " + failure.getMessage());
    }
}
