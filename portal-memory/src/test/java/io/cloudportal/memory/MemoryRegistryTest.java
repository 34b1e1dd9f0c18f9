package io.cloudportal.memory;

import io.cloudportal.tck.RegistryContract;
import io.cloudportal.tck.TckHarness;

class MemoryRegistryTest extends RegistryContract {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
