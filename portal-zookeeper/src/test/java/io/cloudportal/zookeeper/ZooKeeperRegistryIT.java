package io.cloudportal.zookeeper;

import io.cloudportal.tck.RegistryContract;
import io.cloudportal.tck.TckHarness;

class ZooKeeperRegistryIT extends RegistryContract {
    @Override
    protected TckHarness harness() {
        return ZooKeeperHarness.INSTANCE;
    }
}
