package io.cloudportal.zeromq;

import io.cloudportal.tck.BadInputContract;
import io.cloudportal.tck.TckHarness;

class ZeroMqBadInputIT extends BadInputContract {
    @Override
    protected TckHarness harness() {
        return ZeroMqHarness.INSTANCE;
    }
}
