package io.cloudportal.internal;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.lock.FencingToken;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.observation.Observation;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/** Validates lock calls, runs loss callbacks on Portal's executor and tracks held locks. */
final class PortableLock implements Lock {

    private final DefaultPortal portal;
    private final Lock driver;

    PortableLock(DefaultPortal portal, Lock driver) {
        this.portal = portal;
        this.driver = driver;
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public HeldLock acquire(Duration timeout) throws InterruptedException {
        portal.ensureOpen("acquire()");
        Rules.duration("timeout", timeout, false);
        return observedWait(() -> held(portal, DriverCalls.guard(portal, "acquire()", () -> driver.acquire(timeout))), held -> "acquired");
    }

    @Override
    public Optional<HeldLock> tryAcquire(Duration timeout) throws InterruptedException {
        portal.ensureOpen("tryAcquire()");
        Rules.duration("timeout", timeout, true);
        return observedWait(() -> DriverCalls.guard(portal, "tryAcquire()", () -> driver.tryAcquire(timeout)).map(held -> held(portal, held)),
                held -> held.isPresent() ? "acquired" : "timeout");
    }

    /** A wait the observers hear (from the ask to the grant or giving up), when any are attached. */
    private <T> T observedWait(DriverCalls.Call<T, InterruptedException> wait, java.util.function.Function<T, String> outcome)
            throws InterruptedException {
        if (portal.observers().none()) {
            return wait.run();
        }
        Observation observation = portal.observers().lockWaiting(portal.driverName(), driver.name());
        try {
            T result = wait.run();
            observation.outcome(outcome.apply(result));
            return result;
        } catch (InterruptedException | RuntimeException e) {
            observation.outcome(e instanceof io.cloudportal.PortalTimeoutException ? "timeout" : "error");
            observation.failed(e);
            throw e;
        } finally {
            observation.end();
        }
    }

    /** Wraps and tracks a lock or permit the driver acquired, so that closing the connection releases it. */
    static HeldLock held(DefaultPortal portal, HeldLock driverHeld) {
        return portal.track(new PortableHeldLock(portal, driverHeld));
    }

    @Override
    public String toString() {
        return "Lock[" + driver.name() + "]";
    }

    /**
     * The driver's own held lock behind one this connection handed out, for a driver that checks
     * it on the server (a guarded write).
     *
     * @throws InvalidArgumentException if the lock is not one this connection handed out, or was released
     */
    static HeldLock driverLockOf(DefaultPortal portal, HeldLock lock, String parameter) {
        Rules.notNull(parameter, lock);
        if (!(lock instanceof PortableHeldLock held) || held.portal != portal) {
            throw new InvalidArgumentException(parameter + " '" + lock + "' must be a lock held through this connection ("
                    + portal + "): the server checks its own record of the holder");
        }
        if (held.closed.get()) {
            throw new InvalidArgumentException(parameter + " '" + lock + "' was released; a released lock guards nothing");
        }
        return held.driver;
    }

    private static final class PortableHeldLock implements HeldLock {
        private final DefaultPortal portal;
        private final HeldLock driver;
        private final Executor lane;
        private final AtomicBoolean closed = new AtomicBoolean();
        /** Set once the hold was reported (released or lost), when observers were attached at the grant. */
        private final AtomicBoolean reported;
        private final long grantedAt = System.nanoTime();

        PortableHeldLock(DefaultPortal portal, HeldLock driver) {
            this.portal = portal;
            this.driver = driver;
            this.lane = portal.lane("loss callback of lock '" + driver.name() + "'");
            this.reported = new AtomicBoolean(portal.observers().none());
            if (!reported.get()) {
                // Runs on the driver's thread as the loss is noticed, so the session's state then is the reason.
                driver.onLost(() -> {
                    if (reported.compareAndSet(false, true)) {
                        portal.observers().lockLost(portal.driverName(), driver.name(), heldFor(), Observers.lossReason(portal.sessionNow()));
                    }
                });
            }
        }

        private Duration heldFor() {
            return Duration.ofNanos(System.nanoTime() - grantedAt);
        }

        @Override
        public String name() {
            return driver.name();
        }

        @Override
        public FencingToken fencingToken() {
            return driver.fencingToken();
        }

        @Override
        public boolean isHeld() {
            return !closed.get() && driver.isHeld();
        }

        @Override
        public void ensureHeld() {
            driver.ensureHeld();
        }

        @Override
        public void onLost(Runnable onLost) {
            Rules.notNull("onLost", onLost);
            driver.onLost(() -> lane.execute(onLost));
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                portal.forget(this);
                boolean stillHeld = driver.isHeld();
                driver.close();
                if (stillHeld && reported.compareAndSet(false, true)) {
                    portal.observers().lockReleased(portal.driverName(), driver.name(), heldFor());
                }
            }
        }

        @Override
        public String toString() {
            return "HeldLock[" + driver.name() + ", token " + driver.fencingToken().value() + "]";
        }
    }
}
