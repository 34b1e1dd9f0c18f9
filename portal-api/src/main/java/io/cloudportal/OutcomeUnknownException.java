package io.cloudportal;

/**
 * A write reached the point where the server may have applied it, and then the answer was lost
 * (the connection dropped, the operation timed out). Portal does not retry such a write, because a
 * retry of a write that was applied would apply it twice; read the state again to learn what
 * happened. It is an {@link UnavailableException}, so code that treats every outage alike keeps working.
 */
public class OutcomeUnknownException extends UnavailableException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with what failed underneath.
     *
     * @param message which write, and what to do
     * @param cause the outage that lost the answer
     */
    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
