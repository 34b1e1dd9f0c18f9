package io.cloudportal;

/**
 * A watch could not resume where it stopped (the history it needed was compacted); re-list and continue from the snapshot.
 */
public class ResyncRequiredException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, what went wrong, and what to do
     */
    public ResyncRequiredException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the vendor exception that caused it.
     *
     * @param message what was asked, what went wrong, and what to do
     * @param cause the underlying exception, kept for diagnosis
     */
    public ResyncRequiredException(String message, Throwable cause) {
        super(message, cause);
    }
}
