package io.cloudportal;

/**
 * A running watch or listener registration. Closing it stops further events; it is idempotent.
 */
public interface Watch extends AutoCloseable {
    /** Stops the watch; no event is delivered after this returns, except one already running. */
    @Override
    void close();
}
