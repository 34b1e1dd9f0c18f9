package io.cloudportal.leader;

import java.util.Optional;

/**
 * A named election: among the candidates that joined, exactly one leads at a time. Obtain one
 * from {@link io.cloudportal.Portal#leaderElection(String)}.
 *
 * <pre>{@code
 * try (Candidacy me = portal.leaderElection("scheduler").join("node-1", event -> log.info("{}", event))) {
 *     ...
 * }
 * }</pre>
 */
public interface LeaderElection {

    /**
     * The election's name.
     *
     * @return the name
     */
    String name();

    /**
     * Joins the election as a candidate.
     *
     * @param candidateId an id that says who this candidate is (shown to others as the leader)
     * @param listener hears this candidate being elected and revoked
     * @return the candidacy; close it to leave
     * @throws io.cloudportal.InvalidArgumentException if the id breaks a rule
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached in time
     */
    Candidacy join(String candidateId, LeadershipListener listener);

    /**
     * Who leads now, as seen by the servers; anyone may ask, candidate or not.
     *
     * @return the leader, or empty if there is none
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached in time
     */
    Optional<Leader> currentLeader();

    /**
     * The candidates now, in election order, the leader first; anyone may ask, candidate or not.
     *
     * @return the candidate ids (the same id twice if two candidates joined with it)
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached in time
     */
    default java.util.List<String> participants() {
        throw new io.cloudportal.UnsupportedFacilityException("this election lists no participants");
    }

    /**
     * Follows the leader without joining: the observer hears the leader at once, then each change
     * (a new leader, or none), in order, on Portal's listener executor. A leader whose term ended
     * before the change could be read (shorter than a round trip) may be passed over; terms seen
     * always increase.
     *
     * @param observer called with the leader now and after every change
     * @return the watch; close it to stop
     */
    default io.cloudportal.Watch observe(LeaderObserver observer) {
        throw new io.cloudportal.UnsupportedFacilityException("this election cannot be observed");
    }
}
