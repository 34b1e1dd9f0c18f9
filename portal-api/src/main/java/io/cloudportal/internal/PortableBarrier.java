package io.cloudportal.internal;

import io.cloudportal.coordination.Barrier;
import io.cloudportal.spi.BarrierCell;
import io.cloudportal.spi.Rules;
import java.time.Duration;

/** Checks input and waits through outages; the driver keeps the barrier's key or node. */
final class PortableBarrier implements Barrier {

    private final DefaultPortal portal;
    private final String name;
    private final BarrierCell cell;

    PortableBarrier(DefaultPortal portal, String name, BarrierCell cell) {
        this.portal = portal;
        this.name = name;
        this.cell = cell;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean set() {
        portal.ensureOpen("set()");
        return DriverCalls.guard(portal, "set()", cell::set);
    }

    @Override
    public boolean remove() {
        portal.ensureOpen("remove()");
        return DriverCalls.guard(portal, "remove()", cell::remove);
    }

    @Override
    public boolean isSet() {
        portal.ensureOpen("isSet()");
        return DriverCalls.guard(portal, "isSet()", cell::isSet);
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        portal.ensureOpen("await()");
        Rules.duration("timeout", timeout, true);
        return OutageTolerantWait.await(portal, "await()", timeout, cell::awaitRemoved);
    }

    @Override
    public String toString() {
        return "Barrier[" + name + "]";
    }
}
