package io.cloudportal.memory;

import io.cloudportal.Portal;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.TckHarness;
import java.util.Set;

/** Runs the TCK against {@code memory://}, injecting faults through {@link MemoryFaults}. */
final class MemoryHarness implements TckHarness {

    static final MemoryHarness INSTANCE = new MemoryHarness();

    @Override
    public String driverName() {
        return "memory";
    }

    @Override
    public String url() {
        return "memory://tck";
    }

    @Override
    public Portal connect() {
        return Portal.connect(url());
    }

    /** In process, a fifth of a server soak makes more attempts and faults than the whole soak on a server. */
    @Override
    public java.time.Duration soak(java.time.Duration onARealServer) {
        return onARealServer.dividedBy(5);
    }

    @Override
    public Set<Fault> faults() {
        // Nothing in the memory driver waits on a server that could stall.
        return Set.of(Fault.SESSION_EXPIRY, Fault.CONNECTION_CUT, Fault.SERVER_RESTART);
    }

    @Override
    public void inject(Fault fault, Portal victim) {
        MemoryFaults faults = victim.unwrap(MemoryFaults.class).orElseThrow();
        switch (fault) {
            case SESSION_EXPIRY -> faults.expireSession();
            case CONNECTION_CUT -> faults.interruptConnection();
            case SERVER_RESTART -> faults.restartServer();
        }
    }
}
