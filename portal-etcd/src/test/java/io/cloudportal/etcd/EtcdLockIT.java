package io.cloudportal.etcd;

import io.cloudportal.tck.LockContract;
import io.cloudportal.tck.TckHarness;

class EtcdLockIT extends LockContract {
    @Override
    protected TckHarness harness() {
        return EtcdHarness.INSTANCE;
    }
}
