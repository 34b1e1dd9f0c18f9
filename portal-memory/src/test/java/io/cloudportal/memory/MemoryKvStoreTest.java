package io.cloudportal.memory;

import io.cloudportal.tck.KvStoreContract;
import io.cloudportal.tck.TckHarness;

class MemoryKvStoreTest extends KvStoreContract {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
