package io.cloudportal.etcd;

import io.cloudportal.tck.RegistryContract;
import io.cloudportal.tck.TckHarness;

class EtcdRegistryIT extends RegistryContract {
    @Override
    protected TckHarness harness() {
        return EtcdHarness.INSTANCE;
    }
}
