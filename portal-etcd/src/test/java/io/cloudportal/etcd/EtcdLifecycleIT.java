package io.cloudportal.etcd;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class EtcdLifecycleIT extends LifecycleContract {
    @Override
    protected TckHarness harness() {
        return EtcdHarness.INSTANCE;
    }
}
