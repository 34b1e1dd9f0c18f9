package io.cloudportal.spi;

/**
 * A driver's storage of one counter: a value read with a version, and a write that the server
 * applies only at that version. The portable layer runs the read-modify-write loop over it, so
 * every driver's counter retries contention and reports lost answers the same way.
 *
 * <p>A driver must not retry {@link #swap} itself (nor let its client library do so): a swap that
 * was applied and whose answer was lost would, retried, fail on its own new version and the
 * portable loop would add again. It throws {@link io.cloudportal.UnavailableException} instead, and
 * the portable layer reports the outcome as unknown.
 */
public interface CounterCell {

    /**
     * Reads the cell (a read may be retried freely).
     *
     * @return the value and its version; {@code (0, 0)} if the counter was never written
     */
    Reading read();

    /** What {@link #swap} answers when the cell moved and the driver does not know to what: the portable layer reads. */
    Reading MOVED = new Reading(0, -1);

    /**
     * Writes {@code value} if the cell is still at {@code version} (0: still absent).
     *
     * @param version the version read
     * @param value the new value
     * @return empty if written; if the cell had moved (nothing written), what it holds now where the
     *         same request tells (etcd's {@code Else}), else {@link #MOVED}
     * @throws io.cloudportal.UnavailableException if the answer was not received, the outcome then unknown
     */
    java.util.Optional<Reading> swap(long version, long value);

    /**
     * What a read saw.
     *
     * @param value the counter's value
     * @param version the server's version of it, 0 if absent
     */
    record Reading(long value, long version) {
    }
}
