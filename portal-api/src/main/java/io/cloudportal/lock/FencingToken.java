package io.cloudportal.lock;

/**
 * A number handed to each holder of a lock that strictly increases across successive holders.
 * A resource guarded by the lock rejects a write carrying a token lower than one it has seen,
 * which makes a holder that lost the lock without knowing it harmless.
 *
 * @param value the token; larger means a later holder
 */
public record FencingToken(long value) implements Comparable<FencingToken> {

    /**
     * Tells whether this token belongs to a later holder than another.
     *
     * @param other the token to compare with
     * @return true if this token is strictly greater
     */
    public boolean isNewerThan(FencingToken other) {
        return value > other.value;
    }

    @Override
    public int compareTo(FencingToken other) {
        return Long.compare(value, other.value);
    }
}
