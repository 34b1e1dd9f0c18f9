package io.cloudportal;

/**
 * The servers refused the credentials (authentication) or what they allow the user to do
 * (authorization). Retrying does not help; the configuration or the server's permissions must
 * change. The message never contains the secret.
 */
public class AccessDeniedException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what the server refused, and what to check
     */
    public AccessDeniedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what the server refused, and what to check
     * @param cause the underlying exception, kept for diagnosis
     */
    public AccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
