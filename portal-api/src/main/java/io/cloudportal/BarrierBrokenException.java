package io.cloudportal;

/**
 * A double barrier's round cannot complete: a member that had entered left before every member
 * entered (its session ended, or it gave up waiting), or this member's own session ended while it
 * waited. Its entry is withdrawn; enter again for a new round once the members agree to.
 */
public class BarrierBrokenException extends PortalException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which barrier, how many members were there, and what left
     */
    public BarrierBrokenException(String message) {
        super(message);
    }
}
