package io.cloudportal;

/**
 * The one unchecked root of every exception Portal throws. Drivers map their vendor's
 * exceptions into the subclasses of this type and keep the vendor exception as the cause.
 */
public class PortalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public PortalException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public PortalException(String message, Throwable cause) {
        super(message, cause);
    }
}
