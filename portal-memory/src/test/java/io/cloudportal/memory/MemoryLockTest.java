package io.cloudportal.memory;

import io.cloudportal.tck.LockContract;
import io.cloudportal.tck.TckHarness;

class MemoryLockTest extends LockContract {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
