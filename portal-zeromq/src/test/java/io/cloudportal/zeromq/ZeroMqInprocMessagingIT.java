package io.cloudportal.zeromq;

import io.cloudportal.tck.MessagingContract;
import io.cloudportal.tck.TckHarness;

class ZeroMqInprocMessagingIT extends MessagingContract {
    @Override
    protected TckHarness harness() {
        return ZeroMqInprocHarness.INSTANCE;
    }
}
