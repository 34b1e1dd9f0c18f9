package io.cloudportal.internal;

import io.cloudportal.LeadershipLostException;
import io.cloudportal.LockLostException;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.spi.Rules;
import io.cloudportal.spi.TermGuard;

/**
 * A guard as the driver checks it (its own held lock, or the lock-like record of a leader's term),
 * resolved once from what the user passed, so that a guard stays bound to the term it was taken in.
 *
 * @param driverLock what the driver compares on the server
 * @param leader the user's candidacy when the guard is a term, else null: its refusal is a lost leadership
 */
record WriteGuard(HeldLock driverLock, Candidacy leader) {

    static WriteGuard of(DefaultPortal portal, HeldLock lock) {
        return new WriteGuard(PortableLock.driverLockOf(portal, lock, "guard"), null);
    }

    static WriteGuard of(DefaultPortal portal, Candidacy leader) {
        Candidacy driverCandidacy = PortableLeaderElection.driverCandidacyOf(portal, leader, "guard");
        if (!(driverCandidacy instanceof TermGuard terms)) {
            throw Rules.invalid("guard", leader.toString(), "cannot guard a write: the " + portal.driverName() + " driver has no term guards");
        }
        return new WriteGuard(terms.termGuard(), leader);
    }

    /** The driver's refusal, said as what the user's guard was. */
    RuntimeException refused(LockLostException refused) {
        if (leader == null) {
            return refused;
        }
        return new LeadershipLostException("nothing was written: " + leader + " no longer leads in term "
                + driverLock.fencingToken().value() + " on the server", refused);
    }

    @Override
    public String toString() {
        return leader == null ? driverLock.toString() : leader + " (term " + driverLock.fencingToken().value() + ")";
    }
}
