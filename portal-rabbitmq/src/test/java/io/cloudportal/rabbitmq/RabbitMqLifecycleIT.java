package io.cloudportal.rabbitmq;

import io.cloudportal.tck.LifecycleContract;
import io.cloudportal.tck.TckHarness;

class RabbitMqLifecycleIT extends LifecycleContract {
    @Override
    protected TckHarness harness() {
        return RabbitMqHarness.INSTANCE;
    }
}
