package io.cloudportal.spi;

import io.cloudportal.lock.HeldLock;

/**
 * A driver's candidacy that can guard a write with its current term: the leader's node or key
 * stands for the term as a lock's node stands for a holding, so the guard is one of the driver's
 * own held locks and every guarded write checks it the same way. Leadership only passes on when
 * that node or key is gone (later candidates queue behind it), so "it still exists" means "this
 * term still leads".
 */
public interface TermGuard {

    /**
     * The current term as a guard, for one transaction; never closed (closing the candidacy ends it).
     *
     * @return the driver's held lock standing for this term
     * @throws io.cloudportal.LeadershipLostException if this candidacy does not lead now (before any I/O)
     */
    HeldLock termGuard();
}
