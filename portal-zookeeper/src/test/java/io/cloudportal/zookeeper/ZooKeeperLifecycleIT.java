package io.cloudportal.zookeeper;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class ZooKeeperLifecycleIT extends LifecycleContract {
    @Override
    protected TckHarness harness() {
        return ZooKeeperHarness.INSTANCE;
    }
}
