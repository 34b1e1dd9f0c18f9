package io.cloudportal.memory;

import io.cloudportal.tck.MessagingContract;
import io.cloudportal.tck.TckHarness;

class MemoryMessagingTest extends MessagingContract {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
