package io.cloudportal.tck;

import io.cloudportal.lock.FencingToken;

/**
 * A stand-in for a resource guarded by a lock: it rejects a write carrying a token lower than
 * one it has seen, and counts holders that overlapped or did not bring a strictly newer token.
 */
public final class FencingRegister {

    private long highest = Long.MIN_VALUE;
    private int holders;
    private long overlaps;
    private long staleTokens;
    private long writes;

    /**
     * Called by a holder when it enters the guarded section.
     *
     * @param token the holder's fencing token
     */
    public synchronized void enter(FencingToken token) {
        if (++holders > 1) {
            overlaps++;
        }
        if (token.value() <= highest) {
            staleTokens++;
        } else {
            highest = token.value();
        }
        writes++;
    }

    /** Called by a holder when it leaves the guarded section, before it releases the lock. */
    public synchronized void leave() {
        holders--;
    }

    /**
     * How many times a second holder entered while another was inside.
     *
     * @return the overlaps
     */
    public synchronized long overlaps() {
        return overlaps;
    }

    /**
     * How many holders brought a token not greater than one seen before.
     *
     * @return the stale tokens
     */
    public synchronized long staleTokens() {
        return staleTokens;
    }

    /**
     * How many holders entered.
     *
     * @return the writes
     */
    public synchronized long writes() {
        return writes;
    }
}
