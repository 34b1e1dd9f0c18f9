package io.cloudportal.memory;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class MemoryLifecycleTest extends LifecycleContract {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
