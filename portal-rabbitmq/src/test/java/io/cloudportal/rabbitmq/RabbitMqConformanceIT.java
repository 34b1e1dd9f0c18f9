package io.cloudportal.rabbitmq;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit against a real server. */
class RabbitMqConformanceIT extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return RabbitMqHarness.INSTANCE;
    }
}
