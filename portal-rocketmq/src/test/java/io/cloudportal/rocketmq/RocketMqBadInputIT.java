package io.cloudportal.rocketmq;

import io.cloudportal.tck.BadInputContract;
import io.cloudportal.tck.TckHarness;

class RocketMqBadInputIT extends BadInputContract {

    @Override
    protected TckHarness harness() {
        return RocketMqHarness.INSTANCE;
    }
}
