package io.cloudportal.coordination;

import java.time.Duration;

/**
 * A double barrier for a fixed number of members that live on the server: {@link #enter} blocks
 * until that many have entered, {@link #leave} until every one of them has left. A member's entry
 * belongs to its session, so a member whose process dies or whose session ends counts as left:
 * while the others still wait in {@code enter} they are told at once with a
 * {@link io.cloudportal.BarrierBrokenException} (the round cannot fill any more), and in
 * {@code leave} they stop waiting for it.
 *
 * <p>One handle is one member, for one round at a time: {@code enter}, then {@code leave}, then
 * {@code enter} again for the next round. Obtain one from
 * {@link io.cloudportal.Portal#doubleBarrier(String, int)}; every member of a name must give the
 * same number of members.
 *
 * <pre>{@code
 * DoubleBarrier stage = portal.doubleBarrier("nightly-load", 5);
 * if (stage.enter(Duration.ofMinutes(5))) {   // all five workers are here
 *     loadMyPart();
 *     stage.leave(Duration.ofMinutes(5));     // all five are done
 * }
 * }</pre>
 */
public interface DoubleBarrier {

    /**
     * The barrier's name.
     *
     * @return the name given to {@link io.cloudportal.Portal#doubleBarrier(String, int)}
     */
    String name();

    /**
     * How many members the barrier waits for.
     *
     * @return the number of members
     */
    int members();

    /**
     * How many members are in the barrier now, as the server has it: entered or entering, and not
     * yet left ("3 of 5 workers are here").
     *
     * @return the number of member entries
     */
    int entered();

    /**
     * Enters the barrier and waits until all members have entered. If the timeout passes first,
     * this member withdraws (which tells the others that the round is broken) and the call
     * returns false. Waits through an outage shorter than the timeout.
     *
     * @param timeout how long to wait at most
     * @return true once every member has entered; false if the timeout passed first
     * @throws io.cloudportal.BarrierBrokenException if a member that had entered left before the
     *         barrier filled (its session ended, or it gave up), or this member's own session ended
     * @throws IllegalStateException if this handle has entered and not left
     * @throws io.cloudportal.UnavailableException if the server could not be reached when the timeout passed
     * @throws InterruptedException if interrupted while waiting (this member withdraws)
     */
    boolean enter(Duration timeout) throws InterruptedException;

    /**
     * Leaves the barrier and waits until every member of the round has left; a member whose
     * session ended has left. This member's entry is gone when the call returns, also when it
     * returns false.
     *
     * @param timeout how long to wait at most
     * @return true once every member has left; false if the timeout passed first
     * @throws IllegalStateException if this handle has not entered
     * @throws io.cloudportal.UnavailableException if the server could not be reached when the timeout passed
     * @throws InterruptedException if interrupted while waiting
     */
    boolean leave(Duration timeout) throws InterruptedException;
}
