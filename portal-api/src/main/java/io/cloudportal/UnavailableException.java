package io.cloudportal;

/**
 * The servers could not be reached, or did not answer, in time.
 */
public class UnavailableException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public UnavailableException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
