package io.cloudportal;

/**
 * Leadership this process held was revoked: its session expired, its lease is gone or it stepped down.
 */
public class LeadershipLostException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public LeadershipLostException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public LeadershipLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
