package io.cloudportal.leader;

import java.util.Optional;

/** Follows who leads an election without standing in it; see {@link LeaderElection#observe(LeaderObserver)}. */
@FunctionalInterface
public interface LeaderObserver {

    /**
     * Called with the leader once on subscribing, then each time the leader changes.
     *
     * @param leader the leader now, or empty while there is none
     */
    void leaderChanged(Optional<Leader> leader);
}
