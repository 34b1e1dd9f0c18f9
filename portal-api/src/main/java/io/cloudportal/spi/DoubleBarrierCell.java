package io.cloudportal.spi;

import java.time.Duration;
import java.util.Set;

/**
 * A driver's storage of one double barrier: one entry per member, tied to that member's session
 * so it disappears when the session ends, and a ready marker that the member completing the count
 * writes. The portable layer runs the protocol (when to write the marker, when a member may pass,
 * when the round is broken, when to clear the marker); a driver only keeps these entries, with
 * revisions from one server-wide order (ZooKeeper's zxids, etcd's revisions). Every write is
 * idempotent, so the portable layer may ask again after a lost answer.
 */
public interface DoubleBarrierCell {

    /**
     * One read of the barrier.
     *
     * @param members the ids of the entries present
     * @param readyRevision the revision at which the ready marker was created, 0 if there is none
     * @param revision the point this read saw, from which {@link #awaitChange} waits
     */
    record View(Set<String> members, long readyRevision, long revision) {
        /**
         * Copies the members.
         *
         * @param members the ids of the entries present
         * @param readyRevision the revision at which the ready marker was created, 0 if there is none
         * @param revision the point this read saw, from which {@link #awaitChange} waits
         */
        public View {
            members = Set.copyOf(members);
        }
    }

    /**
     * Adds this member's entry, tied to the session, or finds the one an earlier try added.
     *
     * @param member the member's id, unique per round and the same on every try
     * @return the revision at which the entry was created
     */
    long join(String member);

    /**
     * Reads the entries and the ready marker. Where the two cannot be read in one step, the
     * entries are read first.
     *
     * @return what is there now
     */
    View read();

    /**
     * Waits until anything under the barrier changes after {@code since}, or the time passes;
     * may return early. The portable layer reads again either way.
     *
     * @param since a view this cell returned, the latest
     * @param timeout the longest wait
     * @throws InterruptedException if interrupted
     */
    void awaitChange(View since, Duration timeout) throws InterruptedException;

    /**
     * Writes the ready marker; one created at or before {@code after} (a round's that nobody
     * cleared) is replaced in the same atomic step, a newer one is kept.
     *
     * @param after the revision of the writer's own entry
     * @return the revision of the marker now present
     */
    long markReady(long after);

    /**
     * Removes this member's entry if it is present.
     *
     * @param member the id given to {@link #join}
     */
    void withdraw(String member);

    /**
     * Removes the ready marker if it is the one created at {@code readyRevision}.
     *
     * @param readyRevision the marker's creation revision, as a view showed it
     */
    void clearReady(long readyRevision);
}
