package io.cloudportal.memory;

import io.cloudportal.Portal;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.TckHarness;
import java.util.Set;

/** Runs the TCK against {@code memory://}; it can expire a session, the one fault an in-process backend has. */
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

    @Override
    public Set<Fault> faults() {
        return Set.of(Fault.SESSION_EXPIRY);
    }

    @Override
    public void inject(Fault fault, Portal victim) {
        if (fault != Fault.SESSION_EXPIRY) {
            throw new UnsupportedOperationException(fault + " cannot be injected into memory://");
        }
        victim.unwrap(MemoryFaults.class).orElseThrow().expireSession();
    }
}
