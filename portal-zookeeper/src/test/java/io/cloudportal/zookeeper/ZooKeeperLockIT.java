package io.cloudportal.zookeeper;

import io.cloudportal.tck.LockContract;
import io.cloudportal.tck.TckHarness;

class ZooKeeperLockIT extends LockContract {
    @Override
    protected TckHarness harness() {
        return ZooKeeperHarness.INSTANCE;
    }
}
