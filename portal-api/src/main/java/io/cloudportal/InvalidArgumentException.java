package io.cloudportal;

/**
 * An argument broke a rule; thrown before any I/O. The message names the argument, its value (unless it is a secret) and the rule.
 */
public class InvalidArgumentException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public InvalidArgumentException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public InvalidArgumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
