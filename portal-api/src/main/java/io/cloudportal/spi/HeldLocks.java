package io.cloudportal.spi;

import io.cloudportal.LockLostException;
import io.cloudportal.lock.FencingToken;

/** What every driver's held lock says when it is no longer held, so the message reads the same on every backend. */
public final class HeldLocks {

    private HeldLocks() {
    }

    /**
     * Throws if a lock is no longer held.
     *
     * @param name the lock's name
     * @param token its fencing token
     * @param lostBecause why it was lost, or null if it was not
     * @param released whether its holder released it
     * @throws LockLostException if it was lost or released
     */
    public static void ensureHeld(String name, FencingToken token, String lostBecause, boolean released) {
        String which = token == null ? "" : " (token " + token.value() + ")";
        if (lostBecause != null) {
            throw new LockLostException("lock '" + name + "'" + which + " was lost: " + lostBecause);
        }
        if (released) {
            throw new LockLostException("lock '" + name + "'" + which + " was released by its holder");
        }
    }
}
