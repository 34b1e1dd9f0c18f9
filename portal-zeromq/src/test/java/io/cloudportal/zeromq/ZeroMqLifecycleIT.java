package io.cloudportal.zeromq;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class ZeroMqLifecycleIT extends LifecycleContract {
    @Override
    protected TckHarness harness() {
        return ZeroMqHarness.INSTANCE;
    }
}
