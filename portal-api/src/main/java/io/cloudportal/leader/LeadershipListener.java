package io.cloudportal.leader;

/** Hears a candidate being elected and revoked; called on Portal's listener executor, in order. */
@FunctionalInterface
public interface LeadershipListener {
    /**
     * Called once per transition; a revocation always follows the election it ends.
     *
     * @param event the transition
     */
    void leadershipChanged(LeadershipEvent event);
}
