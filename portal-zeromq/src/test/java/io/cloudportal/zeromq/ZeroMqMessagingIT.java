package io.cloudportal.zeromq;

import io.cloudportal.tck.MessagingContract;
import io.cloudportal.tck.TckHarness;

class ZeroMqMessagingIT extends MessagingContract {
    @Override
    protected TckHarness harness() {
        return ZeroMqHarness.INSTANCE;
    }
}
