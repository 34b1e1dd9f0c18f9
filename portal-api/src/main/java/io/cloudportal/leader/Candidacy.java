package io.cloudportal.leader;

import java.time.Duration;
import java.util.Optional;

/**
 * This process's place in an election. Closing it leaves the election, stepping down first if it
 * leads; closing is idempotent.
 */
public interface Candidacy extends AutoCloseable {

    /**
     * The id this candidate joined with.
     *
     * @return the candidate id
     */
    String candidateId();

    /**
     * Tells whether this candidate leads now. Turns false as soon as the session is suspended.
     *
     * @return true while this candidate is the leader
     */
    boolean isLeader();

    /**
     * The term of the current leadership, if this candidate leads.
     *
     * @return the term, or empty when not leading
     */
    Optional<Long> term();

    /**
     * Waits until this candidate leads or the timeout passes.
     *
     * @param timeout how long to wait at most
     * @return true if it leads
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    boolean awaitLeadership(Duration timeout) throws InterruptedException;

    /** Leaves the election (steps down first if leading). */
    @Override
    void close();
}
