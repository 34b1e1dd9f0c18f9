package io.cloudportal;

/**
 * The thing asked for does not exist.
 */
public class NotFoundException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public NotFoundException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
