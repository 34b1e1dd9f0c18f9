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
}
