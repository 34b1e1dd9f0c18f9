package io.cloudportal.kafka;

import io.cloudportal.tck.BadInputContract;
import io.cloudportal.tck.TckHarness;

class KafkaBadInputIT extends BadInputContract {
    @Override
    protected TckHarness harness() {
        return KafkaHarness.INSTANCE;
    }
}
