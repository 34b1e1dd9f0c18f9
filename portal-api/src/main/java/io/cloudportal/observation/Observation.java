package io.cloudportal.observation;

/**
 * One operation being observed, from its start to {@link #end()}: a publish until the broker
 * answered, a handler run until it returned, a lock wait until it was granted or gave up. The
 * portable layer ends each exactly once, on the thread that started it for handler runs and lock
 * waits (so an observer may make a span current between the two), on the thread that completed it
 * for publishes.
 */
public interface Observation {

    /** An observation that records nothing. */
    Observation NONE = () -> { };

    /**
     * Says how the operation ended before {@link #end()}: for a handler run {@code ack},
     * {@code retry}, {@code dead_letter} or {@code dropped}; for a lock wait {@code acquired} or
     * {@code timeout}; for a publish {@code ok} or {@code error}. Called once, also when the
     * operation {@linkplain #failed failed} (a handler that threw and is retried ends {@code retry}).
     *
     * @param outcome one of a few fixed words, fit for a metric tag
     */
    default void outcome(String outcome) {
    }

    /**
     * Says the operation failed, before {@link #end()}.
     *
     * @param error what failed it: a Portal exception, or what a handler threw
     */
    default void failed(Throwable error) {
    }

    /** Ends the observation. */
    void end();
}
