package io.cloudportal.zeromq;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit through an in-process hub ({@code zeromq+inproc://}). */
class ZeroMqInprocConformanceIT extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return ZeroMqInprocHarness.INSTANCE;
    }
}
