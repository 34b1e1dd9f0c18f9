package io.cloudportal.etcd;

import io.cloudportal.tck.KvStoreContract;
import io.cloudportal.tck.TckHarness;

class EtcdKvStoreIT extends KvStoreContract {
    @Override
    protected TckHarness harness() {
        return EtcdHarness.INSTANCE;
    }
}
