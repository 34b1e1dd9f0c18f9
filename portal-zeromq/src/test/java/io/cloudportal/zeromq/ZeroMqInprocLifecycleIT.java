package io.cloudportal.zeromq;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class ZeroMqInprocLifecycleIT extends LifecycleContract {
    @Override
    protected TckHarness harness() {
        return ZeroMqInprocHarness.INSTANCE;
    }
}
