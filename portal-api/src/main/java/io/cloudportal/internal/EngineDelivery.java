package io.cloudportal.internal;

import io.cloudportal.ClosedException;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Requests;
import io.cloudportal.spi.Received;
import io.cloudportal.spi.Rules;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One attempt of a message, as the handler sees it: settled once, by the first of the handler's
 * {@link #ack()}, {@link #nack()} or {@link #deadLetter(String)} and the engine's settling after
 * the handler returned or threw. One object per attempt; the outcome is a field, not an atomic.
 */
final class EngineDelivery implements Delivery {

    /** The outcome of an acknowledged attempt; a rejected one carries its reason. */
    static final Outcome ACKED = new Outcome(false, null);
    /** The outcome of a batch's delivery the handler left open behind a rejected message of its key: it comes again, unsettled. */
    static final Outcome HELD_BACK = new Outcome(false, "held back behind an earlier message of its key");
    private static final VarHandle OUTCOME;

    static {
        try {
            OUTCOME = MethodHandles.lookup().findVarHandle(EngineDelivery.class, "outcome", Outcome.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How an attempt ended: acknowledged, or rejected with a reason, to be retried or dead-lettered at once. */
    record Outcome(boolean deadLetterNow, String reason) {
        boolean acknowledged() {
            return this == ACKED;
        }
    }

    private final DeliveryEngine engine;
    private final Received received;
    private final int attempt;
    @SuppressWarnings("unused") // through OUTCOME; null while open
    private volatile Outcome outcome;

    EngineDelivery(DeliveryEngine engine, Received received, int attempt) {
        this.engine = engine;
        this.received = received;
        this.attempt = attempt;
    }

    @Override
    public Message message() {
        return received.message();
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String messageId() {
        return received.messageId();
    }

    @Override
    public boolean ack() {
        ensureOpen("ack");
        return OUTCOME.compareAndSet(this, null, ACKED);
    }

    @Override
    public boolean nack() {
        ensureOpen("nack");
        return OUTCOME.compareAndSet(this, null, new Outcome(false, DeadLetters.NACK_REASON));
    }

    @Override
    public boolean deadLetter(String why) {
        Rules.notNull("reason", why);
        ensureOpen("dead-letter");
        if (!engine.deadLetters()) {
            throw new UnsupportedFacilityException("cannot dead-letter message " + messageId() + ": " + engine.driverName()
                    + " does not give DEAD_LETTER");
        }
        return OUTCOME.compareAndSet(this, null, new Outcome(true, DeadLetters.reason(why)));
    }

    @Override
    public java.util.concurrent.CompletableFuture<io.cloudportal.messaging.PublishResult> reply(byte[] payload, java.util.Map<String, String> headers) {
        Rules.notNull("payload", payload);
        Message request = message();
        String replyTo = request.headers().get(Requests.REPLY_TO_HEADER);
        String correlation = request.headers().get(Requests.CORRELATION_ID_HEADER);
        if (replyTo == null || correlation == null) {
            throw new io.cloudportal.InvalidArgumentException("message " + messageId() + " on '" + request.topic() + "' is not a request:"
                    + " it has no '" + Requests.REPLY_TO_HEADER + "' and '" + Requests.CORRELATION_ID_HEADER + "' headers to answer");
        }
        java.util.Map<String, String> replyHeaders = new java.util.LinkedHashMap<>(headers == null ? java.util.Map.of() : headers);
        replyHeaders.put(Requests.CORRELATION_ID_HEADER, correlation);
        return engine.settings().replies().apply(new Message(replyTo, null, payload, replyHeaders));
    }

    /** After the handler: what it did not settle is acknowledged if it returned, rejected if it threw. */
    Outcome settleAfter(Throwable failure) {
        OUTCOME.compareAndSet(this, null, failure == null ? ACKED : new Outcome(false, DeadLetters.reason(failure)));
        return (Outcome) OUTCOME.getVolatile(this);
    }

    /** Holds back a delivery the handler did not settle; false if it did. */
    boolean holdBack() {
        return OUTCOME.compareAndSet(this, null, HELD_BACK);
    }

    private void ensureOpen(String what) {
        if (engine.isClosed()) {
            throw new ClosedException("cannot " + what + " message " + messageId() + ": " + engine + " is closed;"
                    + " an unsettled message is delivered again to the group");
        }
    }

    @Override
    public String toString() {
        Outcome now = (Outcome) OUTCOME.getVolatile(this);
        return "Delivery[" + message() + ", attempt " + attempt + ", " + (now == null ? "open" : now.acknowledged() ? "acknowledged"
                : now.deadLetterNow() ? "dead-lettered" : "rejected") + "]";
    }
}
