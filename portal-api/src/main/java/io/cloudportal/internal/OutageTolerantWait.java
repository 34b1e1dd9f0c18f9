package io.cloudportal.internal;

import io.cloudportal.UnavailableException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A wait on the server that lasts through outages shorter than its timeout: a coordinator's or a
 * worker's wait should not end because the server restarted or the connection was cut.
 */
final class OutageTolerantWait {

    /** A pause before waiting again, so a restarting server is not hammered. */
    static final long PAUSE_MILLIS = 100;

    /** One wait of the driver's, for at most the given time. */
    @FunctionalInterface
    interface Wait {
        boolean await(Duration left) throws InterruptedException;
    }

    private OutageTolerantWait() {
    }

    static boolean await(DefaultPortal portal, String operation, Duration timeout, Wait wait) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        return retrying(portal, operation, deadline, () -> wait.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
    }

    /**
     * A step asked again through outages until the deadline, after a short pause each time: for waits, and for
     * steps that are idempotent (a double barrier's).
     */
    static <T> T retrying(DefaultPortal portal, String operation, long deadline, DriverCalls.Call<T, InterruptedException> step)
            throws InterruptedException {
        while (true) {
            try {
                return DriverCalls.guard(portal, operation, step);
            } catch (UnavailableException outage) {
                if (deadline - System.nanoTime() <= 0) {
                    throw outage;
                }
                TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS);
            }
        }
    }
}
