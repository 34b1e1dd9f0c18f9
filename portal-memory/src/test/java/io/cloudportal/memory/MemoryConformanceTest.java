package io.cloudportal.memory;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit against the in-memory backend. */
class MemoryConformanceTest extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return MemoryHarness.INSTANCE;
    }
}
