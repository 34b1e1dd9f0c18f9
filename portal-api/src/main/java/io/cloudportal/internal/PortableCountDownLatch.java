package io.cloudportal.internal;

import io.cloudportal.OutcomeUnknownException;
import io.cloudportal.UnavailableException;
import io.cloudportal.coordination.CountDownLatch;
import io.cloudportal.spi.LatchCell;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Checks input and asks a count-down again, under the same identity, while its answer is lost. */
final class PortableCountDownLatch implements CountDownLatch {


    private final DefaultPortal portal;
    private final String name;
    private final LatchCell cell;

    PortableCountDownLatch(DefaultPortal portal, String name, LatchCell cell) {
        this.portal = portal;
        this.name = name;
        this.cell = cell;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean trySetCount(long count) {
        portal.ensureOpen("trySetCount()");
        if (count < 1 || count > MAX_COUNT) {
            throw Rules.invalid("count", Long.toString(count), "must be 1 to " + MAX_COUNT);
        }
        return DriverCalls.guard(portal, "trySetCount()", () -> cell.trySetCount(count));
    }

    @Override
    public long count() {
        portal.ensureOpen("count()");
        return DriverCalls.guard(portal, "count()", cell::count);
    }

    @Override
    public void countDown() {
        portal.ensureOpen("countDown()");
        String identity = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + portal.context().operationTimeout().toNanos();
        for (boolean again = false; ; again = true) {
            boolean asked = again;
            try {
                DriverCalls.guard(portal, "countDown()", () -> cell.countDown(identity, asked));
                return;
            } catch (UnavailableException lost) {
                if (System.nanoTime() - deadline > 0) {
                    throw new OutcomeUnknownException("countDown() of latch '" + name + "' may have been applied (once): its answer was"
                            + " lost and the server could not be asked again within " + portal.context().operationTimeout(), lost);
                }
                pause();
            }
        }
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(OutageTolerantWait.PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("countDown() of latch '" + name + "' was interrupted while asking again", e);
        }
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        portal.ensureOpen("await()");
        Rules.duration("timeout", timeout, true);
        return OutageTolerantWait.await(portal, "await()", timeout, cell::awaitZero);
    }

    @Override
    public boolean delete() {
        portal.ensureOpen("delete()");
        return DriverCalls.guard(portal, "delete()", cell::delete);
    }

    @Override
    public String toString() {
        return "CountDownLatch[" + name + "]";
    }
}
