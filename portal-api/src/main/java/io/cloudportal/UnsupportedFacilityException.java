package io.cloudportal;

/**
 * The driver does not provide the facility or guarantee asked for; the message names the drivers that do.
 */
public class UnsupportedFacilityException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public UnsupportedFacilityException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public UnsupportedFacilityException(String message, Throwable cause) {
        super(message, cause);
    }
}
