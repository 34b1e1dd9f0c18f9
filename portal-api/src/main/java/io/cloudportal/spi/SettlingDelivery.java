package io.cloudportal.spi;

import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The part of a {@link Delivery} every driver writes alike: a message, its attempt, and an
 * outcome settled once, by whichever comes first of the handler's own {@link #ack()} or
 * {@link #nack()} and the driver's settling after the handler returned or threw. The driver then
 * reads the outcome with {@link #acknowledged()} and {@link #rejected()}.
 *
 * <p>One object per message: the outcome is a field, not an atomic of its own.
 */
public abstract class SettlingDelivery implements Delivery {

    private static final int OPEN = 0;
    private static final int ACKED = 1;
    private static final int NACKED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SettlingDelivery.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Message message;
    private final int attempt;
    @SuppressWarnings("unused") // through STATE
    private volatile int state = OPEN;

    /**
     * A delivery whose id the subclass gives, e.g. built only when asked.
     *
     * @param message the message
     * @param attempt 1 for the first delivery, 2 for the first redelivery and so on
     */
    protected SettlingDelivery(Message message, int attempt) {
        this.message = Objects.requireNonNull(message, "message");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt " + attempt + " is below 1");
        }
        this.attempt = attempt;
    }

    /**
     * A delivery with an id known up front.
     *
     * @param message the message
     * @param messageId the backend's id for it
     * @param attempt 1 for the first delivery, 2 for the first redelivery and so on
     * @return an open delivery
     */
    public static SettlingDelivery of(Message message, String messageId, int attempt) {
        Objects.requireNonNull(messageId, "messageId");
        return new SettlingDelivery(message, attempt) {
            @Override
            public String messageId() {
                return messageId;
            }
        };
    }

    @Override
    public final Message message() {
        return message;
    }

    @Override
    public final int attempt() {
        return attempt;
    }

    @Override
    public final boolean ack() {
        return STATE.compareAndSet(this, OPEN, ACKED);
    }

    @Override
    public final boolean nack() {
        return STATE.compareAndSet(this, OPEN, NACKED);
    }

    /**
     * Whether it was acknowledged, by the handler or by the driver's {@link #ack()} after it.
     *
     * @return true once acknowledged
     */
    public final boolean acknowledged() {
        return (int) STATE.getVolatile(this) == ACKED;
    }

    /**
     * Whether it was rejected, by the handler or by the driver's {@link #nack()} after it threw.
     *
     * @return true once rejected
     */
    public final boolean rejected() {
        return (int) STATE.getVolatile(this) == NACKED;
    }

    @Override
    public String toString() {
        int outcome = (int) STATE.getVolatile(this);
        return "Delivery[" + message + ", attempt " + attempt + ", "
                + (outcome == OPEN ? "open" : outcome == ACKED ? "acknowledged" : "rejected") + "]";
    }
}
