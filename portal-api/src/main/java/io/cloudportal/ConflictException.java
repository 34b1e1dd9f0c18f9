package io.cloudportal;

/**
 * A conditional operation failed because the state it was conditional on has changed (for example a compare-and-set on an older version).
 */
public class ConflictException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public ConflictException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
