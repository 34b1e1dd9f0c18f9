package io.cloudportal.zookeeper;

import io.cloudportal.ClosedException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds a blocking Curator call on the caller's own thread: a timer interrupts the caller if the
 * call is still running at its deadline, which ends ZooKeeper's wait for the answer (and Curator's
 * wait for a connection). Curator retries a request for as long as its retry policy and connection
 * timeout allow, 50 s with the test fixture's settings while the server does not answer. Handing
 * the call to a pool thread bounds it too, but costs two thread wake-ups per call, a tenth of a
 * KV read on this machine; arming and cancelling the alarm costs two queue operations.
 */
final class CallWatchdog implements AutoCloseable {

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int FIRED = 2;

    private final ScheduledThreadPoolExecutor timer;

    CallWatchdog(ThreadFactory threads) {
        timer = new ScheduledThreadPoolExecutor(1, threads);
        // An alarm is cancelled by nearly every call: leaving each in the queue until its deadline would hold thousands.
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Runs the call within the timeout.
     *
     * @throws PortalTimeoutException if it was still running at the deadline (a write may or may not have been applied)
     * @throws UnavailableException if the caller was interrupted (the interrupt flag stays set)
     */
    <T> T call(String operation, Duration timeout, Callable<T> call) {
        Alarm alarm = new Alarm(Thread.currentThread());
        ScheduledFuture<?> armed;
        try {
            armed = timer.schedule(alarm::ring, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            throw new ClosedException(operation + " failed: the connection is closed");
        }
        T result = null;
        Exception failure = null;
        try {
            result = call.call();
        } catch (Exception e) {
            failure = e;
        } finally {
            armed.cancel(false);
        }
        if (alarm.rang()) {
            if (failure == null) {
                return result;
            }
            throw new PortalTimeoutException(operation + " did not complete within " + timeout + " (option operationTimeout):"
                    + " ZooKeeper did not answer; a write may or may not have been applied", failure);
        }
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new UnavailableException(operation + " was interrupted", failure);
        }
        if (failure instanceof RuntimeException mapped) {
            throw mapped;
        }
        if (failure != null) {
            throw ZooKeeperErrors.map(operation, failure);
        }
        return result;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Rings once, unless the call finished first; the interrupt it sends is taken back by the caller. */
    private static final class Alarm {
        private final Thread caller;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private volatile boolean delivered;

        Alarm(Thread caller) {
            this.caller = caller;
        }

        void ring() {
            if (state.compareAndSet(RUNNING, FIRED)) {
                caller.interrupt();
                delivered = true;
            }
        }

        /** Called by the caller once the call returned: true if the alarm rang, its interrupt then cleared. */
        boolean rang() {
            if (state.compareAndSet(RUNNING, DONE)) {
                return false;
            }
            while (!delivered) {
                Thread.onSpinWait();
            }
            // The interrupt was the alarm's, not the caller's own: it must not leak into what the caller does next.
            Thread.interrupted();
            return true;
        }
    }
}
