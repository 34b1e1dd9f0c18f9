package io.cloudportal;

/**
 * A blocking call did not complete within the timeout it was given.
 */
public class PortalTimeoutException extends UnavailableException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public PortalTimeoutException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public PortalTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
