package io.cloudportal.memory;

import io.cloudportal.tck.BadInputContract;
import io.cloudportal.tck.TckHarness;

class MemoryBadInputTest extends BadInputContract {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
