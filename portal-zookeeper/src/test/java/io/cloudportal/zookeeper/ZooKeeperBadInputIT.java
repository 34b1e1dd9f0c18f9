package io.cloudportal.zookeeper;

import io.cloudportal.tck.BadInputContract;
import io.cloudportal.tck.TckHarness;

class ZooKeeperBadInputIT extends BadInputContract {
    @Override
    protected TckHarness harness() {
        return ZooKeeperHarness.INSTANCE;
    }
}
