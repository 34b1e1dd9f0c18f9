package io.cloudportal.rabbitmq;

import io.cloudportal.tck.BadInputContract;
import io.cloudportal.tck.TckHarness;

class RabbitMqBadInputIT extends BadInputContract {
    @Override
    protected TckHarness harness() {
        return RabbitMqHarness.INSTANCE;
    }
}
