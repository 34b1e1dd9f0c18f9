package io.cloudportal.etcd;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit against a real server. */
class EtcdConformanceIT extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return EtcdHarness.INSTANCE;
    }
}
