package io.cloudportal;

/**
 * A lock this process held is no longer held: its session expired or its lease is gone. Stop work protected by it.
 */
public class LockLostException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public LockLostException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public LockLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
