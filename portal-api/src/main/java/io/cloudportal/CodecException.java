package io.cloudportal;

/**
 * A payload could not be encoded into bytes or decoded into the type asked for. On publish it is
 * thrown before any I/O; in a typed handler it fails the delivery, which then follows the
 * subscription's retry policy and dead-letter path like any handler failure (use
 * {@code RetryPolicy.withoutRetrying(CodecException.class)} to dead-letter at once). The message
 * names the type and the content type, never the payload.
 */
public class CodecException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the type, the content type and what went wrong
     */
    public CodecException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the codec library's exception.
     *
     * @param message the type, the content type and what went wrong
     * @param cause the codec library's exception
     */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
