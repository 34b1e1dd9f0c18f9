package io.cloudportal.zookeeper;

import io.cloudportal.tck.KvStoreContract;
import io.cloudportal.tck.TckHarness;

class ZooKeeperKvStoreIT extends KvStoreContract {
    @Override
    protected TckHarness harness() {
        return ZooKeeperHarness.INSTANCE;
    }
}
