package io.cloudportal;

/**
 * A URL, option or property could not be used: malformed, unknown, out of range, or no driver for its scheme.
 */
public class ConfigurationException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
