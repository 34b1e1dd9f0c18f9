package io.cloudportal.zeromq;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit against a real server. */
class ZeroMqConformanceIT extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return ZeroMqHarness.INSTANCE;
    }
}
