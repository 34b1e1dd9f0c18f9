package io.cloudportal.zeromq;

import io.cloudportal.Portal;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.TckHarness;
import java.util.Set;

/** The TCK on {@code zeromq+inproc://}: the hub lives in the JVM, started by the first connection and stopped with the last. */
final class ZeroMqInprocHarness implements TckHarness {

    static final ZeroMqInprocHarness INSTANCE = new ZeroMqInprocHarness();

    @Override
    public String driverName() {
        return "zeromq";
    }

    @Override
    public String url() {
        return "zeromq+inproc://tck";
    }

    @Override
    public Portal connect() {
        return Portal.connect(url());
    }

    @Override
    public Set<Fault> faults() {
        return Set.of();
    }

    @Override
    public void inject(Fault fault, Portal victim) {
        throw new IllegalArgumentException("the inproc fixture injects no fault");
    }

    /** CURVE needs tcp: the credentials are the tcp harness's, so the inproc run proves the same. */
    @Override
    public java.util.Optional<io.cloudportal.tck.Credentials> credentials() {
        return ZeroMqHarness.INSTANCE.credentials();
    }
}
