package io.cloudportal.leader;

/**
 * A change in a candidate's leadership.
 *
 * @param type elected or revoked
 * @param election the election's name
 * @param candidateId the candidate the event is about
 * @param term the term that started (elected) or ended (revoked)
 */
public record LeadershipEvent(Type type, String election, String candidateId, long term) {

    /** What happened. */
    public enum Type {
        /** The candidate became leader. */
        ELECTED,
        /** The candidate is no longer leader: it left, or its session was suspended, expired or lost. */
        REVOKED
    }
}
