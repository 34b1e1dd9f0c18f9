package io.cloudportal.kafka;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class KafkaLifecycleIT extends LifecycleContract {
    @Override
    protected TckHarness harness() {
        return KafkaHarness.INSTANCE;
    }
}
