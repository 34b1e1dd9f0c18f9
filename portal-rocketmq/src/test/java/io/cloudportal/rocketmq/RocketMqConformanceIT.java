package io.cloudportal.rocketmq;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit against a real server. */
class RocketMqConformanceIT extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return RocketMqHarness.INSTANCE;
    }
}
