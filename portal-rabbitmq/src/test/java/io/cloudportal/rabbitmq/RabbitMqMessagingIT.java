package io.cloudportal.rabbitmq;

import io.cloudportal.tck.MessagingContract;
import io.cloudportal.tck.TckHarness;

class RabbitMqMessagingIT extends MessagingContract {
    @Override
    protected TckHarness harness() {
        return RabbitMqHarness.INSTANCE;
    }
}
