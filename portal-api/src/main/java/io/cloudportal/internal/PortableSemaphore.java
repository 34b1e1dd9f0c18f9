package io.cloudportal.internal;

import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.lock.Semaphore;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.Optional;

/** Validates semaphore calls; its permits are held locks of this connection, tracked and usable as guards. */
final class PortableSemaphore implements Semaphore {

    private final DefaultPortal portal;
    /** The driver's semaphore: a lock whose every acquire takes one of the permits. */
    private final Lock driver;
    private final int permits;

    PortableSemaphore(DefaultPortal portal, Lock driver, int permits) {
        this.portal = portal;
        this.driver = driver;
        this.permits = permits;
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public int permits() {
        return permits;
    }

    @Override
    public HeldLock acquire(Duration timeout) throws InterruptedException {
        Rules.duration("timeout", timeout, false);
        return Semaphore.super.acquire(timeout);
    }

    @Override
    public Optional<HeldLock> tryAcquire(Duration timeout) throws InterruptedException {
        portal.ensureOpen("tryAcquire()");
        Rules.duration("timeout", timeout, true);
        return DriverCalls.guard(portal, "tryAcquire()", () -> driver.tryAcquire(timeout)).map(held -> PortableLock.held(portal, held));
    }

    @Override
    public String toString() {
        return "Semaphore[" + driver.name() + ", " + permits + " permits]";
    }
}
