package io.cloudportal;

/**
 * The object was used after it, or the connection it came from, was closed.
 */
public class ClosedException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public ClosedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public ClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
