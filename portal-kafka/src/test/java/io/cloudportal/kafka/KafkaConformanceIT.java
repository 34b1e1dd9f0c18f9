package io.cloudportal.kafka;

import io.cloudportal.tck.ConformanceSuite;
import io.cloudportal.tck.TckHarness;

/** Every contract of the kit against a real server. */
class KafkaConformanceIT extends ConformanceSuite {
    @Override
    protected TckHarness harness() {
        return KafkaHarness.INSTANCE;
    }
}
