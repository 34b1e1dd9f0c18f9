package io.cloudportal.zookeeper;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit against a real server. */
class ZooKeeperConformanceIT extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return ZooKeeperHarness.INSTANCE;
    }
}
