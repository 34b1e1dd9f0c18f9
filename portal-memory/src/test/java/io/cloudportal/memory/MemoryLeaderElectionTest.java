package io.cloudportal.memory;

import io.cloudportal.tck.LeaderElectionContract;
import io.cloudportal.tck.TckHarness;

class MemoryLeaderElectionTest extends LeaderElectionContract {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
