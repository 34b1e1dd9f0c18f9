package io.cloudportal.zookeeper;

import io.cloudportal.tck.LeaderElectionContract;
import io.cloudportal.tck.TckHarness;

class ZooKeeperLeaderElectionIT extends LeaderElectionContract {
    @Override
    protected TckHarness harness() {
        return ZooKeeperHarness.INSTANCE;
    }
}
