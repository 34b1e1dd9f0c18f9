package io.cloudportal.etcd;

import io.cloudportal.tck.BadInputContract;
import io.cloudportal.tck.TckHarness;

class EtcdBadInputIT extends BadInputContract {
    @Override
    protected TckHarness harness() {
        return EtcdHarness.INSTANCE;
    }
}
