package io.cloudportal.rocketmq;

import io.cloudportal.tck.MessagingContract;
import io.cloudportal.tck.TckHarness;

class RocketMqMessagingIT extends MessagingContract {

    @Override
    protected TckHarness harness() {
        return RocketMqHarness.INSTANCE;
    }
}
