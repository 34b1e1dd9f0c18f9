package io.cloudportal.etcd;

import io.cloudportal.tck.LeaderElectionContract;
import io.cloudportal.tck.TckHarness;

class EtcdLeaderElectionIT extends LeaderElectionContract {
    @Override
    protected TckHarness harness() {
        return EtcdHarness.INSTANCE;
    }
}
