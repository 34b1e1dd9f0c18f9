package io.cloudportal.rocketmq;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class RocketMqLifecycleIT extends LifecycleContract {

    @Override
    protected TckHarness harness() {
        return RocketMqHarness.INSTANCE;
    }
}
